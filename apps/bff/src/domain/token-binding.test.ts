import { describe, expect, it } from 'vitest';
import { bindingsInWords } from './token-binding.ts';

/** A whole RFC 7638 thumbprint: 43 base64url characters. */
const JKT = '0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I';
const bound = (id: string) => ({ id, binding: { kind: 'dpop' as const, jkt: JKT } });
const bearer = (id: string) => ({ id, binding: { kind: 'bearer' as const } });
const unsaid = (id: string) => ({ id, binding: null });

describe('bindingsInWords', () => {
  it('counts bound and bearer tokens, naming each bound one with its whole thumbprint', () => {
    expect(bindingsInWords([bound('rt_1'), bearer('rt_2'), bearer('rt_3')])).toEqual([
      `DPoP: 1 bound to a key (rt_1 key ${JKT}), 2 bearer`,
    ]);
  });

  it('names every bound token, in the order given', () => {
    expect(bindingsInWords([bound('rt_2'), bound('rt_1')])).toEqual([
      `DPoP: 2 bound to a key (rt_2 key ${JKT}, rt_1 key ${JKT}), 0 bearer`,
    ]);
  });

  it('says how many the tenant said nothing of, when it said something of others', () => {
    expect(bindingsInWords([bearer('rt_1'), unsaid('rt_2'), unsaid('rt_3')])).toEqual([
      'DPoP: 0 bound to a key, 1 bearer, 2 not said by the tenant',
    ]);
  });

  it("says nothing when the tenant said nothing of any token (a real Auth0's): no guess of bearer", () => {
    expect(bindingsInWords([unsaid('rt_1'), unsaid('rt_2')])).toEqual([]);
  });

  it('says nothing when no token was revoked', () => {
    expect(bindingsInWords([])).toEqual([]);
  });
});
