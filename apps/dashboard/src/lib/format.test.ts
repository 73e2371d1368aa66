import { describe, expect, it } from 'vitest';
import { describeUserAgent, exactTime, listOf, plural, relativeTime } from './format';

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

  it('names a device from its user agent', () => {
    expect(describeUserAgent('AcmeMobile/4.2.1 (iPhone15,3; iOS 18.1) CFNetwork/1568 Darwin/24.1.0')).toBe('AcmeMobile 4.2.1 on iOS 18.1');
    expect(describeUserAgent('Mozilla/5.0 (Macintosh; Intel Mac OS X 14_6) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15')).toBe('Safari on macOS');
    expect(describeUserAgent('Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36')).toBe('Chrome on Windows');
    expect(describeUserAgent('AcmeMobile/4.2.0 (Linux; Android 15; Pixel 8) okhttp/4.12.0')).toBe('AcmeMobile 4.2.0 on Android 15');
    expect(describeUserAgent('AcmeMobile/4.1.9 (iPad13,16; iPadOS 18.0) CFNetwork/1568 Darwin/24.0.0')).toBe('AcmeMobile 4.1.9 on iPadOS 18.0');
    expect(describeUserAgent('Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0')).toBe('Firefox on Linux');
    expect(describeUserAgent(null)).toBe('Unknown device');
  });
});
