import { describe, expect, it } from 'vitest';
import { sessionCountWords, tokenCountWords, tokensRevokedSentence } from './counts';

describe("a search's counts in words", () => {
  it('says the counts as they are', () => {
    expect(tokenCountWords({ tokens: 312, users: 41, devices: 1, limited: false })).toBe(
      '312 tokens · 41 users · 1 device',
    );
    expect(sessionCountWords({ sessions: 1, users: 1, limited: false })).toBe('1 session · 1 user');
  });

  it('past the 10,000 the tenant counts: "more than" the tokens, "at least" the users and devices', () => {
    expect(tokenCountWords({ tokens: 10_000, users: 4_321, devices: 5_000, limited: true })).toBe(
      'more than 10,000 tokens · at least 4,321 users · at least 5,000 devices',
    );
    expect(sessionCountWords({ sessions: 10_000, users: 7, limited: true })).toBe(
      'more than 10,000 sessions · at least 7 users',
    );
  });
});

describe('what "Revoke these N tokens" did, in words', () => {
  it('says the sessions found by the same search were not ended, and where to end them', () => {
    expect(tokensRevokedSentence({ tokens: 19, users: 3, devices: 4 })).toBe(
      'Revoked 19 refresh tokens of 3 users on 4 devices. They are refused from now on. Sessions were not ' +
        'ended: the same search on the Sessions tab, or Contain above for an address or a network, ends them.',
    );
  });
});
