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

/**
 * An IPv6 address as four unsigned 32-bit words (most significant first) written into `out`;
 * false when the text is not one. Accepts `::` compression and a trailing dotted IPv4 part;
 * a zone (`%eth0`) is not an address a client can send us, so it is refused.
 */
export function parseIPv6(text: string, out: Uint32Array, from = 0, to = text.length): boolean {
  const groups: number[] = [];
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
      if (v4 === null || groups.length > 6) return false;
      groups.push(v4 >>> 16, v4 & 0xffff);
      i = n;
      break;
    }
    if (digits === 0) return false;
    groups.push(value);
    if (i === n) break;
    if (text.charCodeAt(i) !== 58) return false;
    i++;
    if (i < n && text.charCodeAt(i) === 58) {
      if (gap !== -1) return false;
      gap = groups.length;
      i++;
      if (i === n) break;
    } else if (i === n) return false;
  }
  if (gap === -1 ? groups.length !== 8 : groups.length > 7) return false;
  const full = new Array<number>(8).fill(0);
  if (gap === -1) for (let k = 0; k < 8; k++) full[k] = groups[k]!;
  else {
    for (let k = 0; k < gap; k++) full[k] = groups[k]!;
    const tail = groups.length - gap;
    for (let k = 0; k < tail; k++) full[8 - tail + k] = groups[gap + k]!;
  }
  for (let w = 0; w < 4; w++) out[w] = ((full[2 * w]! << 16) | full[2 * w + 1]!) >>> 0;
  return true;
}
