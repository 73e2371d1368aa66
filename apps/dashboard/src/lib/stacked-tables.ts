import { useEffect } from 'react';

/** Below this width every table is stacked, whether or not it would fit (styles.css agrees). */
const ALWAYS_STACKED = '(max-width: 900px)';

/**
 * A `table.table` on a narrow screen, or one that does not fit its container, shows each row
 * as a stack of cells (`data-stacked`, styles.css), and a cell says which column it is by its
 * `data-label`, shown before its content. The labels are copied here from the table's own
 * column headers, so every table of the console, including one added later, is labelled
 * without each cell repeating its header in the markup. Assistive technology still reads the
 * real column headers through the table; styles.css hides the copy from it.
 */
export function labelTableCells(root: ParentNode, { remeasure = false }: { remeasure?: boolean } = {}) {
  for (const table of Array.from(root.querySelectorAll<HTMLTableElement>('table.table'))) {
    const headerRow = table.querySelector(':scope > thead > tr');
    if (!headerRow) continue;
    const labels: string[] = [];
    for (const header of cellsOf(headerRow)) {
      const label = shownText(header);
      for (let i = 0; i < span(header); i++) labels.push(label);
    }
    for (const row of Array.from(table.querySelectorAll(':scope > tbody > tr'))) {
      let column = 0;
      for (const cell of cellsOf(row)) {
        // A cell across several columns (a row's details) belongs to none of them.
        const label = span(cell) === 1 ? (labels[column] ?? '') : '';
        if (label) {
          if (cell.getAttribute('data-label') !== label) cell.setAttribute('data-label', label);
        } else if (cell.hasAttribute('data-label')) {
          cell.removeAttribute('data-label');
        }
        column += span(cell);
      }
    }
    stackUnlessItFits(table, remeasure);
  }
}

const cellsOf = (row: Element) => Array.from(row.querySelectorAll(':scope > th, :scope > td'));
const span = (cell: Element) => Math.max(1, Number(cell.getAttribute('colspan')) || 1);

/** A header's text as a sighted person sees it: not its visually hidden or decorative parts. */
function shownText(header: Element): string {
  let text = '';
  const walker = header.ownerDocument.createTreeWalker(header, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    if (node.parentElement?.closest('.visually-hidden, [aria-hidden="true"]')) continue;
    text += node.textContent ?? '';
  }
  return text.replace(/\s+/g, ' ').trim();
}

/**
 * Stacks a table that is wider than the room it has (a long IPv6 address does not wrap, so a
 * table of several can outgrow a laptop's screen). A stacked table is measured again only when
 * the window changes (`remeasure`): it is unstacked, measured and stacked again if need be, all
 * before the browser paints; doing that on every change of its rows would lay the page out
 * shorter for a moment, which can move the reader's scroll position.
 */
function stackUnlessItFits(table: HTMLTableElement, remeasure: boolean) {
  const view = table.ownerDocument.defaultView;
  const container = table.parentElement;
  if (!view || !container) return;
  if (view.matchMedia?.(ALWAYS_STACKED).matches) {
    if (!table.hasAttribute('data-stacked')) table.setAttribute('data-stacked', '');
    return;
  }
  if (table.hasAttribute('data-stacked')) {
    if (!remeasure) return;
    table.removeAttribute('data-stacked');
  }
  const style = view.getComputedStyle(container);
  const room = container.clientWidth - (parseFloat(style.paddingLeft) || 0) - (parseFloat(style.paddingRight) || 0);
  if (room > 0 && table.offsetWidth > room + 1) table.setAttribute('data-stacked', '');
}

/** Keeps every table in the document labelled, and stacked where it does not fit, as rows come and go and the window changes. */
export function useStackedTableLabels() {
  useEffect(() => {
    const update = () => labelTableCells(document);
    const resized = () => labelTableCells(document, { remeasure: true });
    update();
    const observer = new MutationObserver(update);
    observer.observe(document.body, { childList: true, subtree: true, characterData: true });
    window.addEventListener('resize', resized);
    return () => {
      observer.disconnect();
      window.removeEventListener('resize', resized);
    };
  }, []);
}
