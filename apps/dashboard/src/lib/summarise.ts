/**
 * Long lists in dialogs and banners, in one line: what every action's preview and result use,
 * so a list of 120 devices or 15 users reads the same wherever it appears.
 */

/** "1 device", "1,200 devices": the English UI's digit grouping whatever the browser's locale. */
export const countOf = (n: number, one: string, many = `${one}s`) =>
  `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;

/** "A and B", "A, B and C"; `separator` "; " for items that hold commas themselves. */
export const joinWithAnd = (items: string[], separator = ', ') =>
  items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(separator)} and ${items.at(-1)}`;

/**
 * "iPhone 15, Pixel 8 and 118 more": at most `shown` entries, the last place given to the count
 * of the rest when the list is longer ("N more" takes the place of one name: never "a, b, c and
 * 1 more" when d fits). `total` when the list holds only the first of them.
 */
export function listShort(
  names: string[],
  options: { shown?: number; separator?: string; total?: number } = {},
): string {
  const { shown = 3, separator = ', ' } = options;
  const total = Math.max(options.total ?? names.length, names.length);
  const named = total <= shown ? names.slice(0, shown) : names.slice(0, Math.max(1, Math.min(shown - 1, names.length)));
  const rest = total - named.length;
  return joinWithAnd(rest > 0 ? [...named, `${rest.toLocaleString('en-US')} more`] : named, separator);
}

/**
 * A list in one line, a long one cut short: "3 devices: iPhone 15, Pixel 8 and iPad",
 * "120 devices: iPhone 15, Pixel 8 and 118 more"; "no devices" for none.
 */
export function summarise(
  names: string[],
  one: string,
  options: { many?: string; shown?: number; separator?: string; total?: number } = {},
): string {
  const { many = `${one}s` } = options;
  const total = Math.max(options.total ?? names.length, names.length);
  if (total === 0) return `no ${many}`;
  return `${countOf(total, one, many)}: ${listShort(names, options)}`;
}

/**
 * The heading of a list that shows only the first of them: "10 of 15 users, and 5 more"
 * (the 5 not listed), or "15 users" when every one is.
 */
export function shownOf(shown: number, total: number, one: string, many = `${one}s`): string {
  if (shown >= total) return countOf(total, one, many);
  return `${shown.toLocaleString('en-US')} of ${countOf(total, one, many)}, and ${(total - shown).toLocaleString('en-US')} more`;
}
