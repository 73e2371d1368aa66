import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { newRefreshSecret } from './refresh-secrets.ts';

describe('newRefreshSecret', () => {
  it('hands out a value and keeps only its SHA-256', () => {
    const { value, hash } = newRefreshSecret();
    expect(hash.equals(createHash('sha256').update(value).digest())).toBe(true);
    expect(hash).toHaveLength(32);
  });

  it('gives a URL-safe value of at least 256 bits, a new one each time', () => {
    const values = Array.from({ length: 200 }, () => newRefreshSecret().value);
    expect(new Set(values).size).toBe(200);
    for (const value of values) expect(value).toMatch(/^[A-Za-z0-9_-]{43,}$/);
  });
});
