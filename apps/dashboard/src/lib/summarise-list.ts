/**
 * Long lists in one line, for dialogs and banners a support person reads aloud: the first few
 * names and how many more, never a hundred names nor a silent cut.
 */

const count = (n: number) => n.toLocaleString('en-US');

export interface Noun {
  one: string;
  many?: string;
}

const nounFor = (n: number, noun: Noun) => (n === 1 ? noun.one : (noun.many ?? `${noun.one}s`));

/** "3 devices", "1 device". */
export const counted = (n: number, noun: Noun) => `${count(n)} ${nounFor(n, noun)}`;

/**
 * "iPhone 15, Pixel 8 and 118 more": at most `show` entries, the last of them "N more" when
 * the list is longer. `total` is how many there are when `names` holds only the first of them
 * (a preview's first users); `separator` "; " for names that hold commas themselves.
 */
export function listShort(names: string[], options: { total?: number; show?: number; separator?: string } = {}): string {
  const { show = 3, separator = ', ' } = options;
  const total = Math.max(options.total ?? names.length, names.length);
  const more = total - Math.min(names.length, show);
  // "N more" takes the place of one name: never "a, b, c and 1 more" when d fits.
  const head = more > 0 ? names.slice(0, Math.max(1, Math.min(names.length, show - 1))) : names;
  const rest = total - head.length;
  const items = rest > 0 ? [...head, `${count(rest)} more`] : head;
  if (items.length <= 1) return items[0] ?? '';
  return `${items.slice(0, -1).join(separator)} and ${items.at(-1)}`;
}

/** "120 devices: iPhone 15, Pixel 8 and 118 more"; "no devices" for none. */
export function summariseList(names: string[], noun: Noun, options: { total?: number; show?: number; separator?: string } = {}): string {
  const total = Math.max(options.total ?? names.length, names.length);
  if (total === 0) return `no ${nounFor(0, noun)}`;
  return `${counted(total, noun)}: ${listShort(names, options)}`;
}

/** A list showing the first `shown` of `total`: "10 of 15 users, and 5 more"; all of them: "15 users". */
export function shownOf(shown: number, total: number, noun: Noun): string {
  if (shown >= total) return counted(total, noun);
  return `${count(shown)} of ${counted(total, noun)}, and ${count(total - shown)} more`;
}
