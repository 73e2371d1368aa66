/**
 * The noun-shaped calls of the user-access and application dialogs, over lib/summarise.ts: one
 * rule for every long list in a dialog or banner, whichever shape a caller prefers.
 */
import { countOf, listShort as listShortOf, shownOf as shownOfWords, summarise } from './summarise';

export interface Noun {
  one: string;
  many?: string;
}

/** "3 devices", "1 device". */
export const counted = (n: number, noun: Noun) => countOf(n, noun.one, noun.many);

/** "iPhone 15, Pixel 8 and 118 more" (see lib/summarise.ts). */
export const listShort = (names: string[], options: { total?: number; show?: number; separator?: string } = {}) =>
  listShortOf(names, {
    ...(options.total !== undefined ? { total: options.total } : {}),
    ...(options.show !== undefined ? { shown: options.show } : {}),
    ...(options.separator !== undefined ? { separator: options.separator } : {}),
  });

/** "120 devices: iPhone 15, Pixel 8 and 118 more"; "no devices" for none. */
export const summariseList = (
  names: string[],
  noun: Noun,
  options: { total?: number; show?: number; separator?: string } = {},
) =>
  summarise(names, noun.one, {
    ...(noun.many !== undefined ? { many: noun.many } : {}),
    ...(options.total !== undefined ? { total: options.total } : {}),
    ...(options.show !== undefined ? { shown: options.show } : {}),
    ...(options.separator !== undefined ? { separator: options.separator } : {}),
  });

/** "10 of 15 users, and 5 more"; all of them: "15 users". */
export const shownOf = (shown: number, total: number, noun: Noun) => shownOfWords(shown, total, noun.one, noun.many);
