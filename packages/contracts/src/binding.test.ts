import { describe, expect, it } from 'vitest';
import { bindingOf, bindingWords } from './binding.ts';

describe("a refresh token's DPoP binding", () => {
  it('reads dpop_jkt: a thumbprint is bound, null is bearer, absent (a real Auth0 tenant) is unknown, never bearer', () => {
    expect(bindingOf('0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I')).toEqual({
      kind: 'dpop',
      jkt: '0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I',
    });
    expect(bindingOf(null)).toEqual({ kind: 'bearer' });
    expect(bindingOf(undefined)).toBeNull();
    expect(bindingOf('')).toBeNull();
    expect(bindingOf(42)).toBeNull();
  });

  it('says "Bound to key <first 8 characters>… (DPoP)", "Bearer", or nothing', () => {
    expect(bindingWords({ kind: 'dpop', jkt: '0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I' })).toBe(
      'Bound to key 0ZcOCORZ… (DPoP)',
    );
    expect(bindingWords({ kind: 'bearer' })).toBe('Bearer');
    expect(bindingWords(null)).toBeNull();
  });
});
