/**
 * IP address text to numbers, for range searches. Hand-written rather than `net.isIP` plus a
 * library because a lookup must stay within a few microseconds (the tenant does one on every
 * token exchange) and must never throw on what a client sent.
 */

/** An IPv4 address as an unsigned 32-bit number, or null when the text is not one. */
export function parseIPv4(text: string, from = 0, to = text.length): number | null {
  let value = 0;
  let part = 0;
  let digits = 0;
  let dots = 0;
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      // A leading zero is ambiguous (octal in some parsers), so it is refused as inet_pton does.
      if (digits === 1 && part === 0) return null;
      part = part * 10 + (c - 48);
      if (part > 255 || ++digits > 3) return null;
    } else if (c === 46) {
      if (digits === 0 || ++dots > 3) return null;
      value = value * 256 + part;
      part = 0;
      digits = 0;
    } else return null;
  }
  if (dots !== 3 || digits === 0) return null;
  return value * 256 + part;
}

/** Scratch space for the groups of one address: parsing allocates nothing (a lookup stays in the microseconds). */
const GROUPS = new Uint16Array(8);

/**
 * An IPv6 address as four unsigned 32-bit words (most significant first) written into `out`;
 * false when the text is not one. Accepts `::` compression and a trailing dotted IPv4 part;
 * a zone (`%eth0`) is not an address a client can send us, so it is refused.
 */
export function parseIPv6(text: string, out: Uint32Array, from = 0, to = text.length): boolean {
  let count = 0;
  let gap = -1;
  let i = from;
  const n = to;
  if (n - from < 2) return false;
  if (text.charCodeAt(from) === 58) {
    if (text.charCodeAt(from + 1) !== 58) return false;
    gap = 0;
    i = from + 2;
    if (i === n) {
      out.fill(0);
      return true;
    }
  }
  while (i < n) {
    let value = 0;
    let digits = 0;
    const start = i;
    while (i < n) {
      const c = text.charCodeAt(i);
      let d: number;
      if (c >= 48 && c <= 57) d = c - 48;
      else if (c >= 97 && c <= 102) d = c - 87;
      else if (c >= 65 && c <= 70) d = c - 55;
      else break;
      value = value * 16 + d;
      if (++digits > 4) return false;
      i++;
    }
    if (i < n && text.charCodeAt(i) === 46) {
      // Dotted IPv4 tail (::ffff:1.2.3.4): it fills the last two groups.
      const v4 = parseIPv4(text, start, n);
      if (v4 === null || count > 6) return false;
      GROUPS[count++] = v4 >>> 16;
      GROUPS[count++] = v4 & 0xffff;
      i = n;
      break;
    }
    if (digits === 0 || count === 8) return false;
    GROUPS[count++] = value;
    if (i === n) break;
    if (text.charCodeAt(i) !== 58) return false;
    i++;
    if (i < n && text.charCodeAt(i) === 58) {
      if (gap !== -1) return false;
      gap = count;
      i++;
      if (i === n) break;
    } else if (i === n) return false;
  }
  if (gap === -1 ? count !== 8 : count > 7) return false;
  if (gap !== -1) {
    // Move the groups after "::" to the end and zero the gap, in place.
    const tail = count - gap;
    for (let k = 0; k < tail; k++) GROUPS[7 - k] = GROUPS[count - 1 - k]!;
    for (let k = gap; k < 8 - tail; k++) GROUPS[k] = 0;
  }
  out[0] = ((GROUPS[0]! << 16) | GROUPS[1]!) >>> 0;
  out[1] = ((GROUPS[2]! << 16) | GROUPS[3]!) >>> 0;
  out[2] = ((GROUPS[4]! << 16) | GROUPS[5]!) >>> 0;
  out[3] = ((GROUPS[6]! << 16) | GROUPS[7]!) >>> 0;
  return true;
}

/** Scratch words for `addressKey` and `addressRange`. */
const WORDS = new Uint32Array(4);

/**
 * The words of an address (IPv4 mapped into ::ffff:0:0/96) into WORDS, and how many leading
 * bits an IPv4 address is offset by (96), or null when the text is no address.
 */
function readAddress(text: string): number | null {
  const v4 = parseIPv4(text);
  if (v4 !== null) {
    WORDS[0] = 0;
    WORDS[1] = 0;
    WORDS[2] = 0xffff;
    WORDS[3] = v4;
    return 96;
  }
  return parseIPv6(text, WORDS) ? 0 : null;
}

function wordsToKey(words: Uint32Array): Buffer {
  const key = Buffer.allocUnsafe(16);
  for (let i = 0; i < 4; i++) key.writeUInt32BE(words[i]!, i * 4);
  return key;
}

/**
 * A sortable 16-byte key of an address, for range searches in a database index (BLOB on
 * SQLite, bytea on PostgreSQL: both compare bytewise). IPv4 is mapped into ::ffff:0:0/96, so
 * "203.0.113.7" and "::ffff:203.0.113.7" have one key and a CIDR is one contiguous range.
 * Null when the text is not an address (never throws: it runs on every token exchange).
 */
export function addressKey(text: string | null | undefined): Buffer | null {
  if (!text || readAddress(text) === null) return null;
  return wordsToKey(WORDS);
}

/**
 * The inclusive range of keys (see `addressKey`) that an address or a CIDR covers:
 * "203.0.113.7", "203.0.113.0/24", "2001:db8::/32". Host bits set beyond the prefix are
 * ignored ("203.0.113.7/24" is the /24). Null when the text is neither.
 */
export function addressRange(text: string): { from: Buffer; to: Buffer } | null {
  const slash = text.indexOf('/');
  const address = slash === -1 ? text : text.slice(0, slash);
  const offset = readAddress(address);
  if (offset === null) return null;
  let bits = 128;
  if (slash !== -1) {
    const prefix = text.slice(slash + 1);
    if (!/^(0|[1-9]\d{0,2})$/.test(prefix)) return null;
    bits = offset + Number(prefix);
    if (bits > 128) return null;
  }
  const low = new Uint32Array(4);
  const high = new Uint32Array(4);
  for (let i = 0; i < 4; i++) {
    // How many of this word's 32 bits belong to the prefix.
    const kept = Math.max(0, Math.min(32, bits - i * 32));
    const mask = kept === 0 ? 0 : kept === 32 ? 0xffffffff : (0xffffffff << (32 - kept)) >>> 0;
    low[i] = (WORDS[i]! & mask) >>> 0;
    high[i] = (low[i]! | ~mask) >>> 0;
  }
  return { from: wordsToKey(low), to: wordsToKey(high) };
}

/** The first 12 bytes of an IPv4 address's key: ::ffff:0:0/96. */
const MAPPED_PREFIX = Buffer.from('00000000000000000000ffff', 'hex');
const isMapped = (key: Buffer) => key.subarray(0, 12).equals(MAPPED_PREFIX);
/** In ::/48 (where the IPv4 addresses are) but not IPv4: in practice :: and ::1. */
const inZeroNetworkNotIPv4 = (key: Buffer) => key.readUIntBE(0, 6) === 0 && !isMapped(key);
const ZERO_NETWORK = Buffer.alloc(15);
const TOP_IPV4_NETWORK = Buffer.from('00000000000000000000ffffffffff', 'hex');

/**
 * The network of an address key (see `addressKey`), as 15 bytes: an IPv4 address's /24, an
 * IPv6 address's /48 (zero-padded). A search by a network of that size or smaller is then an
 * equality on this key, which an index keeps in id order; a larger one a range of it.
 */
export function networkKey(key: Buffer): Buffer {
  if (isMapped(key)) return Buffer.from(key.subarray(0, 15));
  const network = Buffer.alloc(15);
  key.copy(network, 0, 0, 6);
  return network;
}

/**
 * The network keys (see `networkKey`) whose addresses can lie in a range of address keys, and
 * whether that is one network. Network keys follow address order except inside ::/48, where
 * IPv4's /24s sit beside IPv6's :: and ::1 (whose /48 key is all zeros): a range touching
 * those is widened to every network key of ::/48. The address range itself is checked too.
 */
export function networkSpan(range: { from: Buffer; to: Buffer }): { from: Buffer; to: Buffer; one: boolean } {
  const from = inZeroNetworkNotIPv4(range.from) ? ZERO_NETWORK : networkKey(range.from);
  let to = networkKey(range.to);
  if (range.to.readUIntBE(0, 6) === 0 && !isMapped(range.to) && Buffer.compare(to, TOP_IPV4_NETWORK) < 0)
    to = TOP_IPV4_NETWORK;
  const one = from.equals(to) && !inZeroNetworkNotIPv4(range.from) && !inZeroNetworkNotIPv4(range.to);
  return { from, to, one };
}
