import { describe, expect, it } from 'vitest';
import { exactTime, listOf, plural, relativeTime } from './format';

describe('formatting', () => {
  const now = Date.parse('2026-06-15T12:00:00Z');
  it('says how long ago, in the locale asked for', () => {
    expect(relativeTime('2026-06-12T12:00:00Z', now, 'en')).toBe('3 days ago');
    expect(relativeTime('2026-06-15T11:59:30Z', now, 'en')).toBe('30 seconds ago');
    expect(relativeTime('2026-06-29T12:00:00Z', now, 'en')).toBe('in 2 weeks');
    expect(relativeTime('2026-06-14T12:00:00Z', now, 'en')).toBe('yesterday');
    expect(relativeTime('2026-06-12T12:00:00Z', now, 'de')).toBe('vor 3 Tagen');
  });

  it('gives the exact time with the time zone', () => {
    expect(exactTime('2026-06-15T12:00:00Z', 'en-GB')).toMatch(/15 Jun 2026/);
  });

  it('counts and lists', () => {
    expect(plural(1, 'token')).toBe('1 token');
    expect(plural(3, 'token')).toBe('3 tokens');
    expect(plural(2, 'more token')).toBe('2 more tokens');
    expect(listOf(['a', 'b', 'c'], 'en')).toBe('a, b, and c');
  });
});
