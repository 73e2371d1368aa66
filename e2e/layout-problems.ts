import type { Page } from '@playwright/test';

/*
 * The two probes the narrow-screen scenarios run on every screen: what a person would see as
 * broken (sideways scrolling, clipped content, a dialog off screen) and what assistive
 * technology would (tables that stop being tables when they stack).
 */

/**
 * What is wrong with the layout of the screen as it is now, in words: the page scrolls
 * sideways; an element's right edge is past the viewport; content is wider than a box that
 * clips or scrolls it (unless the box says it scrolls sideways on purpose: `data-scroll-x`);
 * an open dialog does not fit the viewport; the header takes more than one line.
 */
export async function layoutProblems(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const problems: string[] = [];
    const width = window.innerWidth;
    const height = window.innerHeight;
    const name = (el: Element) => {
      const text = (el.textContent ?? '').trim().replace(/\s+/g, ' ').slice(0, 40);
      const cls =
        typeof el.className === 'string' && el.className ? `.${el.className.trim().split(/\s+/).join('.')}` : '';
      return `<${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''}${cls}>${text ? ` "${text}"` : ''}`;
    };
    const clips = (el: Element) => getComputedStyle(el).overflowX !== 'visible';
    // A text field scrolls its own text by nature; what is typed is not the layout.
    const field = (el: Element) => ['INPUT', 'TEXTAREA', 'SELECT'].includes(el.tagName);
    // Hidden on purpose (the visually-hidden pattern): a 1px box that clips.
    const hiddenAway = (el: Element | null): boolean => {
      for (let at = el; at; at = at.parentElement) {
        const r = at.getBoundingClientRect();
        if (clips(at) && (r.width <= 1 || r.height <= 1)) return true;
        if (getComputedStyle(at).visibility === 'hidden') return true;
      }
      return false;
    };
    const deliberateScroller = (el: Element) =>
      el.hasAttribute('data-scroll-x') && ['auto', 'scroll'].includes(getComputedStyle(el).overflowX);

    const root = document.documentElement;
    if (root.scrollWidth > width)
      problems.push(`the page scrolls sideways: scrollWidth ${root.scrollWidth} > innerWidth ${width}`);

    const reportedInside = new Set<Element>();
    for (const el of Array.from(document.body.querySelectorAll('*'))) {
      const r = el.getBoundingClientRect();
      if (r.width === 0 || r.height === 0 || hiddenAway(el)) continue;
      // Below a box already reported (or one that scrolls on purpose), its content is that box's.
      let inside = false;
      for (let at = el.parentElement; at; at = at.parentElement)
        if (reportedInside.has(at) || deliberateScroller(at)) inside = true;
      if (inside) continue;
      // The outermost element past the edge names the problem; its content is not listed again.
      if (r.right > width + 0.5) {
        problems.push(`${name(el)} ends at x=${Math.round(r.right)}, past the viewport's ${width}`);
        reportedInside.add(el);
        continue;
      }
      if (
        clips(el) &&
        !field(el) &&
        el !== root &&
        el !== document.body &&
        el.scrollWidth > el.clientWidth + 1 &&
        !deliberateScroller(el)
      ) {
        problems.push(
          `${name(el)} holds content ${el.scrollWidth}px wide in ${el.clientWidth}px: cut off or scrolled sideways`,
        );
        reportedInside.add(el);
      }
    }

    for (const dialog of Array.from(document.querySelectorAll('dialog[open]'))) {
      const r = dialog.getBoundingClientRect();
      if (r.left < 0 || r.top < 0 || r.right > width || r.bottom > height) {
        problems.push(
          `dialog ${name(dialog.querySelector('h2') ?? dialog)} spans ` +
            `x ${Math.round(r.left)}..${Math.round(r.right)}, y ${Math.round(r.top)}..${Math.round(r.bottom)}: ` +
            `not within ${width}x${height}`,
        );
      }
    }

    // The header: every piece of text and every control it shows shares one line.
    const header = document.querySelector('header.topbar');
    if (header) {
      const boxes: DOMRect[] = [];
      const walker = document.createTreeWalker(header, NodeFilter.SHOW_TEXT);
      for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        if (!node.textContent?.trim() || hiddenAway(node.parentElement)) continue;
        const range = document.createRange();
        range.selectNodeContents(node);
        boxes.push(...Array.from(range.getClientRects()).filter((b) => b.width > 0 && b.height > 0));
      }
      for (const el of Array.from(header.querySelectorAll('button, a, input, select, .logo'))) {
        const r = el.getBoundingClientRect();
        if (r.width > 0 && r.height > 0 && !hiddenAway(el)) boxes.push(r);
      }
      // The menu's panel hangs below the bar: not part of its line.
      const bar = header.getBoundingClientRect();
      boxes.splice(0, boxes.length, ...boxes.filter((b) => b.top < bar.bottom));
      // Lines: boxes that overlap vertically share one.
      const lines: { top: number; bottom: number }[] = [];
      for (const b of boxes.sort((a, c) => a.top - c.top)) {
        const line = lines.find((l) => b.top < l.bottom - 1 && b.bottom > l.top + 1);
        if (line) {
          line.top = Math.min(line.top, b.top);
          line.bottom = Math.max(line.bottom, b.bottom);
        } else lines.push({ top: b.top, bottom: b.bottom });
      }
      if (lines.length > 1)
        problems.push(
          `the header takes ${lines.length} lines (${Math.round(header.getBoundingClientRect().height)}px high)`,
        );
    }
    return problems;
  });
}

/**
 * At the phone's width a table shows each row as a stack of labelled cells, and stays a table
 * to assistive technology (Chromium's own accessibility tree, not a re-computation of it).
 */
export async function tableProblems(page: Page): Promise<string[]> {
  const problems = await page.evaluate(() => {
    const found: string[] = [];
    for (const table of Array.from(document.querySelectorAll('table'))) {
      if (table.getBoundingClientRect().height === 0) continue;
      const caption = table.caption?.textContent?.trim() ?? table.querySelector('th')?.textContent?.trim() ?? 'a table';
      for (const row of Array.from(table.tBodies).flatMap((body) => Array.from(body.rows))) {
        if (getComputedStyle(row).display === 'table-row') {
          found.push(`"${caption}": rows are not stacked`);
          break;
        }
        for (const cell of Array.from(row.cells)) {
          if (cell.tagName !== 'TD' || cell.colSpan > 1 || !cell.textContent?.trim()) continue;
          const header = table.tHead?.rows[0]?.cells[cell.cellIndex];
          // A column without a visible heading (the actions column) needs no label.
          if (!header || header.querySelector('.visually-hidden')?.textContent === header.textContent) continue;
          const label = getComputedStyle(cell, '::before').content;
          if (!label || label === 'none' || label === 'normal' || label === '""')
            found.push(`"${caption}": a "${header.textContent?.trim()}" cell has no label`);
        }
      }
    }
    return [...new Set(found)];
  });
  // Behind a modal dialog the page is inert, out of the accessibility tree: checked without one.
  const visibleTables = await page.evaluate(() =>
    document.querySelector('dialog[open]')
      ? 0
      : Array.from(document.querySelectorAll('table')).filter((t) => t.getBoundingClientRect().height > 0).length,
  );
  if (visibleTables > 0) {
    const cdp = await page.context().newCDPSession(page);
    const { nodes } = (await cdp.send('Accessibility.getFullAXTree')) as {
      nodes: { role?: { value: string }; ignored?: boolean }[];
    };
    await cdp.detach();
    const count = (role: string) => nodes.filter((n) => !n.ignored && n.role?.value === role).length;
    if (count('table') < visibleTables)
      problems.push(`the accessibility tree has ${count('table')} tables, the page shows ${visibleTables}`);
    if (count('columnheader') === 0) problems.push('the accessibility tree has no column headers');
    if (count('cell') + count('gridcell') === 0) problems.push('the accessibility tree has no cells');
  }
  return problems;
}
