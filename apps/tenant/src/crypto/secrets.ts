import { createHash, randomBytes, randomFillSync, scrypt, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';

const scryptAsync = promisify(scrypt) as (
  password: string,
  salt: Buffer,
  keylen: number,
  options: { N: number; r: number; p: number; maxmem: number },
) => Promise<Buffer>;

/** 32 random bytes (256 bits), base64url: the shape of every bearer secret we hand out. */
export function randomSecret(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}

const ID_ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/**
 * Random bytes for identifiers, from a pool refilled 4 KB at a time (as node:crypto's own
 * `randomUUID` does): every exchange and revocation names a log entry or an access token, and
 * a call into OpenSSL for each took a few percent of a revocation's CPU. Never for secrets.
 */
const idEntropy = { pool: Buffer.alloc(4096), used: 4096 };
function idBytes(length: number): Buffer {
  if (length > idEntropy.pool.length) return randomBytes(length);
  if (idEntropy.used + length > idEntropy.pool.length) {
    randomFillSync(idEntropy.pool);
    idEntropy.used = 0;
  }
  idEntropy.used += length;
  return idEntropy.pool.subarray(idEntropy.used - length, idEntropy.used);
}

/** A random identifier from [0-9A-Za-z], optionally prefixed (`dcr_`, `cgr_`). Not a secret. */
export function randomId(length = 24, prefix = ''): string {
  const bytes = idBytes(length);
  let id = prefix;
  for (let i = 0; i < length; i++) id += ID_ALPHABET[bytes[i]! % 62];
  return id;
}

/**
 * Secrets with 256 bits of entropy (refresh tokens, codes, client secrets) are stored as
 * SHA-256: a slow hash adds nothing against a brute force of 2^256, and the hash is the
 * lookup key, so no stored value can be replayed.
 */
export function sha256(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

/** Constant-time equality of two strings, via their hashes so lengths do not leak either. */
export function safeEqual(a: string, b: string): boolean {
  return timingSafeEqual(sha256(a), sha256(b));
}

/** Constant-time check of a presented secret against its stored SHA-256 hash. */
export function matchesHash(presented: string, storedHash: Buffer): boolean {
  const candidate = sha256(presented);
  return candidate.length === storedHash.length && timingSafeEqual(candidate, storedHash);
}

// Passwords are low-entropy, so they get a memory-hard KDF: scrypt, N=2^15 (OWASP's minimum).
const SCRYPT = { N: 2 ** 15, r: 8, p: 1, maxmem: 64 * 1024 * 1024 };
const KEY_LENGTH = 32;

/** `scrypt$N$r$p$salt$hash`, all parameters kept so they can be raised later. */
export async function hashPassword(password: string, cost = SCRYPT): Promise<string> {
  const salt = randomBytes(16);
  const key = await scryptAsync(password.normalize('NFKC'), salt, KEY_LENGTH, cost);
  return ['scrypt', cost.N, cost.r, cost.p, salt.toString('base64url'), key.toString('base64url')].join('$');
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, salt, hash] = stored.split('$');
  if (scheme !== 'scrypt' || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64url');
  const key = await scryptAsync(password.normalize('NFKC'), Buffer.from(salt, 'base64url'), expected.length, {
    N: Number(n),
    r: Number(r),
    p: Number(p),
    maxmem: SCRYPT.maxmem,
  });
  return timingSafeEqual(key, expected);
}

/** A fixed hash to verify against when the user does not exist, so timing does not reveal it. */
export const DUMMY_PASSWORD_HASH =
  'scrypt$32768$8$1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';
