import { parseIPv6 } from './address.ts';

/**
 * Address ranges to autonomous systems, read from the CSV files of `@ip-location-db/asn`
 * (`start,end,asn,organisation`, sorted, not overlapping). They are kept as typed arrays
 * searched by bisection: about 510,000 ranges take some 14 MB, and a lookup is a few
 * hundred nanoseconds. Organisation names are kept once per AS number.
 */
export class AsnTable {
  private constructor(
    private readonly v4Start: Uint32Array,
    private readonly v4End: Uint32Array,
    private readonly v4Asn: Uint32Array,
    /** Four words per range, most significant first. */
    private readonly v6Start: Uint32Array,
    private readonly v6End: Uint32Array,
    private readonly v6Asn: Uint32Array,
    private readonly names: Map<number, string>,
  ) {}

  /** `v4Csv` is the `-ipv4-num.csv` file (numbers), `v6Csv` the `-ipv6.csv` file (addresses). */
  static parse(v4Csv: Buffer, v6Csv: Buffer): AsnTable {
    const names = new Map<number, string>();
    const v4 = parseV4(v4Csv, names);
    const v6 = parseV6(v6Csv.toString('latin1'), names);
    return new AsnTable(v4.start, v4.end, v4.asn, v6.start, v6.end, v6.asn, names);
  }

  get size(): number {
    return this.v4Asn.length + this.v6Asn.length;
  }

  /** The AS number of an IPv4 address (as an unsigned 32-bit number), or 0 when none announces it. */
  asnOfV4(ip: number): number {
    const starts = this.v4Start;
    let lo = 0;
    let hi = starts.length - 1;
    // The last range that starts at or before ip.
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (starts[mid]! <= ip) lo = mid + 1;
      else hi = mid - 1;
    }
    return hi >= 0 && ip <= this.v4End[hi]! ? this.v4Asn[hi]! : 0;
  }

  /** The AS number of an IPv6 address (four words), or 0 when none announces it. */
  asnOfV6(ip: Uint32Array): number {
    const starts = this.v6Start;
    let lo = 0;
    let hi = this.v6Asn.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (compare(starts, mid, ip) <= 0) lo = mid + 1;
      else hi = mid - 1;
    }
    return hi >= 0 && compare(this.v6End, hi, ip) >= 0 ? this.v6Asn[hi]! : 0;
  }

  /** The organisation that holds an AS number, as the data names it. */
  nameOf(asn: number): string | null {
    return this.names.get(asn) ?? null;
  }
}

function compare(words: Uint32Array, row: number, ip: Uint32Array): number {
  const base = row * 4;
  for (let k = 0; k < 4; k++) {
    const a = words[base + k]!;
    const b = ip[k]!;
    if (a !== b) return a < b ? -1 : 1;
  }
  return 0;
}

function countLines(text: Buffer | string): number {
  let lines = 0;
  if (typeof text === 'string') {
    for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) lines++;
  } else {
    for (let i = text.indexOf(10); i !== -1; i = text.indexOf(10, i + 1)) lines++;
  }
  return lines + 1;
}

/** The organisation field: plain, or quoted with doubled quotes inside (RFC 4180). */
function readName(text: string, from: number, to: number): string {
  if (text.charCodeAt(from) !== 34) return text.slice(from, to).trim();
  return text.slice(from + 1, text.lastIndexOf('"', to)).replaceAll('""', '"');
}

/** Byte-level in one pass, since 410,000 lines through split() and Number() would cost most of a second at start. */
function parseV4(csv: Buffer, names: Map<number, string>) {
  const capacity = countLines(csv);
  const start = new Uint32Array(capacity);
  const end = new Uint32Array(capacity);
  const asn = new Uint32Array(capacity);
  let rows = 0;
  let i = 0;
  const n = csv.length;
  while (i < n) {
    let a = 0;
    let b = 0;
    let c = 0;
    let field = 0;
    let byte = 0;
    for (; i < n && field < 3; i++) {
      byte = csv[i]!;
      if (byte >= 48 && byte <= 57) {
        if (field === 0) a = a * 10 + (byte - 48);
        else if (field === 1) b = b * 10 + (byte - 48);
        else c = c * 10 + (byte - 48);
      } else if (byte === 44) field++;
      else break;
    }
    const nameStart = i;
    const lineEnd = csv.indexOf(10, i);
    i = lineEnd === -1 ? n : lineEnd;
    if (field === 3) {
      start[rows] = a;
      end[rows] = b;
      asn[rows] = c;
      rows++;
      if (!names.has(c)) names.set(c, readName(csv.toString('utf8', nameStart, i), 0, i - nameStart));
    }
    i++;
  }
  return { start: start.slice(0, rows), end: end.slice(0, rows), asn: asn.slice(0, rows) };
}

/** The same over address text, parsed in place (no substrings) from the file read as latin1. */
function parseV6(csv: string, names: Map<number, string>) {
  const capacity = countLines(csv);
  const start = new Uint32Array(capacity * 4);
  const end = new Uint32Array(capacity * 4);
  const asn = new Uint32Array(capacity);
  const words = new Uint32Array(4);
  let rows = 0;
  let i = 0;
  const n = csv.length;
  while (i < n) {
    let lineEnd = csv.indexOf('\n', i);
    if (lineEnd === -1) lineEnd = n;
    const c1 = csv.indexOf(',', i);
    const c2 = c1 === -1 ? -1 : csv.indexOf(',', c1 + 1);
    const c3 = c2 === -1 ? -1 : csv.indexOf(',', c2 + 1);
    if (c3 !== -1 && c3 < lineEnd) {
      let number = 0;
      for (let k = c2 + 1; k < c3; k++) number = number * 10 + (csv.charCodeAt(k) - 48);
      const at = rows * 4;
      if (parseIPv6(csv, words, i, c1)) {
        start[at] = words[0]!;
        start[at + 1] = words[1]!;
        start[at + 2] = words[2]!;
        start[at + 3] = words[3]!;
        if (parseIPv6(csv, words, c1 + 1, c2)) {
          end[at] = words[0]!;
          end[at + 1] = words[1]!;
          end[at + 2] = words[2]!;
          end[at + 3] = words[3]!;
          asn[rows] = number;
          rows++;
          if (!names.has(number))
            names.set(number, Buffer.from(readName(csv, c3 + 1, lineEnd), 'latin1').toString('utf8'));
        }
      }
    }
    i = lineEnd + 1;
  }
  return { start: start.slice(0, rows * 4), end: end.slice(0, rows * 4), asn: asn.slice(0, rows) };
}
