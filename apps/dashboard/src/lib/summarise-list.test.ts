import { describe, expect, it } from 'vitest';
import { listShort, shownOf, summariseList } from './summarise-list';

const phones = (n: number) =>
  Array.from({ length: n }, (_, i) => (i === 0 ? 'iPhone 15' : i === 1 ? 'Pixel 8' : `Phone ${i + 1}`));

describe('summariseList', () => {
  it('cuts a long list short and says how many more: "120 devices: iPhone 15, Pixel 8 and 118 more"', () => {
    expect(summariseList(phones(120), { one: 'device' })).toBe('120 devices: iPhone 15, Pixel 8 and 118 more');
  });

  it('names every one when they fit, and never "1 more" in place of the one name it hides', () => {
    expect(summariseList(phones(3), { one: 'device' })).toBe('3 devices: iPhone 15, Pixel 8 and Phone 3');
    expect(summariseList(phones(2), { one: 'device' })).toBe('2 devices: iPhone 15 and Pixel 8');
    expect(summariseList(phones(1), { one: 'device' })).toBe('1 device: iPhone 15');
    expect(summariseList(phones(4), { one: 'device' })).toBe('4 devices: iPhone 15, Pixel 8 and 2 more');
    expect(summariseList([], { one: 'device' })).toBe('no devices');
  });

  it('counts what it was not given: the first names of a larger total', () => {
    expect(summariseList(['ann@example.com', 'bob@example.com'], { one: 'user' }, { total: 15 })).toBe(
      '15 users: ann@example.com, bob@example.com and 13 more',
    );
    expect(summariseList(phones(2), { one: 'session' }, { total: 2, separator: '; ' })).toBe(
      '2 sessions: iPhone 15 and Pixel 8',
    );
    expect(summariseList(phones(1200), { one: 'box', many: 'boxes' }, { show: 2 })).toBe(
      '1,200 boxes: iPhone 15 and 1,199 more',
    );
  });

  it('listShort is the same list without the count', () => {
    expect(listShort(phones(120))).toBe('iPhone 15, Pixel 8 and 118 more');
    expect(listShort(['a; b', 'c'], { separator: '; ' })).toBe('a; b and c');
  });
});

describe('shownOf', () => {
  it('says a list shows the first of more: "10 of 15 users, and 5 more"; all of them: "15 users"', () => {
    expect(shownOf(10, 15, { one: 'user' })).toBe('10 of 15 users, and 5 more');
    expect(shownOf(15, 15, { one: 'user' })).toBe('15 users');
    expect(shownOf(1, 1, { one: 'user' })).toBe('1 user');
  });
});
