import { describe, expect, it } from 'vitest';
import { shownOf, summarise } from './summarise';

describe('summarising long lists', () => {
  const devices = ['iPhone 15', 'Pixel 8', ...Array.from({ length: 118 }, (_, i) => `Device ${i}`)];

  it('names the first and counts the rest: "120 devices: iPhone 15, Pixel 8 and 118 more"', () => {
    expect(summarise(devices, 'device')).toBe('120 devices: iPhone 15, Pixel 8 and 118 more');
  });

  it('names every one of a short list', () => {
    expect(summarise(['iPhone 15', 'Pixel 8', 'iPad'], 'device')).toBe('3 devices: iPhone 15, Pixel 8 and iPad');
    expect(summarise(['iPhone 15'], 'device')).toBe('1 device: iPhone 15');
    expect(summarise([], 'session')).toBe('no sessions');
  });

  it('counts past the names it was given when told the total', () => {
    expect(summarise(['a@example.com', 'b@example.com'], 'user', { total: 15 })).toBe(
      '15 users: a@example.com, b@example.com and 13 more',
    );
    expect(summarise(['a@example.com'], 'user', { total: 4, shown: 3 })).toBe('4 users: a@example.com and 3 more');
  });

  it('takes another plural, another length, and a separator for items holding commas', () => {
    expect(summarise(['x, 1', 'y, 2', 'z, 3', 'w, 4'], 'entry', { many: 'entries', shown: 2, separator: '; ' })).toBe(
      '4 entries: x, 1 and 3 more',
    );
    expect(summarise(['Safari, 203.0.113.7', 'Chrome, 198.51.100.4'], 'session', { separator: '; ' })).toBe(
      '2 sessions: Safari, 203.0.113.7 and Chrome, 198.51.100.4',
    );
    expect(
      summarise(
        Array.from({ length: 1200 }, (_, i) => `d${i}`),
        'device',
      ),
    ).toBe('1,200 devices: d0, d1 and 1,198 more');
  });

  it('heads a list showing only the first: "10 of 15 users, and 5 more"', () => {
    expect(shownOf(10, 15, 'user')).toBe('10 of 15 users, and 5 more');
    expect(shownOf(15, 15, 'user')).toBe('15 users');
    expect(shownOf(1, 1, 'user')).toBe('1 user');
  });
});
