/**
 * Console roles and what each may do. No zod here: the dashboard imports this at run time,
 * the schemas only as types, so its bundle carries no validation library.
 */
export const ROLES = ['viewer', 'support', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** The BFF enforces these on every route; the dashboard offers only what the role may use. */
export const CAN = {
  read: ['viewer', 'support', 'admin'],
  revoke: ['support', 'admin'],
  changeSettings: ['admin'],
  readAudit: ['support', 'admin'],
  /** The Applications area: counts across users, and revoking every token of an application. */
  manageApplications: ['admin'],
  /** Search across users (refresh tokens and sessions by address, network, agent...) and revoking a result set. */
  searchTokens: ['support', 'admin'],
  /** Revoking, unlinking or ending anything of a user who holds a console role: a staff member's credentials are the console's keys. */
  actOnStaff: ['admin'],
  /**
   * Blocking a user, with "Sign out everywhere": part of containing a stolen account, so support
   * may as well as admin (a staff member's account stays admin's, by actOnStaff). Viewers never.
   */
  blockUsers: ['support', 'admin'],
} as const satisfies Record<string, readonly Role[]>;
export type Permission = keyof typeof CAN;

export const can = (role: Role | undefined, permission: Permission): boolean =>
  role !== undefined && (CAN[permission] as readonly Role[]).includes(role);

/** The widest networks that still single out where tokens were used: a /16 of IPv4, a /32 of IPv6. */
export const NARROWEST_WIDE_PREFIX = { ipv4: 16, ipv6: 32 } as const;
/** A user-agent condition shorter than this matches nearly every agent ("a", "os"). */
export const MIN_NARROWING_AGENT = 4;

/** The eight 16-bit groups of an IPv6 address (an embedded dotted IPv4 tail included), or undefined if it is not one. */
function ipv6Groups(address: string): number[] | undefined {
  let text = address.toLowerCase();
  const dotted = /^(.*:)(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text);
  if (dotted) {
    const octets = dotted.slice(2, 6).map(Number);
    if (octets.some((o) => o > 255)) return undefined;
    text = `${dotted[1]}${((octets[0]! << 8) | octets[1]!).toString(16)}:${((octets[2]! << 8) | octets[3]!).toString(16)}`;
  }
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const parse = (part: string) =>
    part === '' ? [] : part.split(':').map((g) => (/^[0-9a-f]{1,4}$/.test(g) ? parseInt(g, 16) : Number.NaN));
  const head = parse(halves[0]!);
  const tail = halves.length === 2 ? parse(halves[1]!) : [];
  const groups = halves.length === 2 ? [...head, ...Array(8 - head.length - tail.length).fill(0), ...tail] : head;
  return groups.length === 8 && groups.every((g) => Number.isInteger(g)) ? groups : undefined;
}

/** ::ffff:0:0/96, where IPv4 addresses live in IPv6 (the tenant matches IPv4 there too). */
const MAPPED_IPV4 = [0, 0, 0, 0, 0, 0xffff, 0, 0];

/** Whether the first `bits` bits of two addresses agree. */
function samePrefix(a: number[], b: number[], bits: number): boolean {
  for (let i = 0; i < 8 && bits > 0; i++, bits -= 16) {
    const mask = bits >= 16 ? 0xffff : (0xffff << (16 - bits)) & 0xffff;
    if ((a[i]! & mask) !== (b[i]! & mask)) return false;
  }
  return true;
}

/**
 * An address or a network no wider than a /16 (IPv6 /32): an address without a prefix is one
 * host. The tenant matches IPv4 addresses in their ::ffff:-mapped form too, so an IPv6 network
 * that holds ::ffff:0:0/96 (::/80, ::/32, ::ffff:0:0/96 itself) holds every IPv4 address, and a
 * network inside it is as wide as the IPv4 network under its last 32 bits.
 */
export const ipNarrows = (ip: string): boolean => {
  const [address = '', prefixText] = ip.split('/');
  if (prefixText === undefined) return true;
  const prefix = /^\d{1,3}$/.test(prefixText) ? Number(prefixText) : Number.NaN;
  if (!address.includes(':')) return prefix >= NARROWEST_WIDE_PREFIX.ipv4 && prefix <= 32;
  const groups = ipv6Groups(address);
  if (!groups || !(prefix <= 128)) return false;
  if (samePrefix(groups, MAPPED_IPV4, Math.min(prefix, 96))) return prefix - 96 >= NARROWEST_WIDE_PREFIX.ipv4;
  return prefix >= NARROWEST_WIDE_PREFIX.ipv6;
};

type NarrowingFilter = {
  ip?: string | undefined;
  asn?: string | undefined;
  user_agent?: string | undefined;
  device_name?: string | undefined;
};

/**
 * Whether a search's conditions single out where tokens or sessions were used: an address or a
 * network no wider than a /16, a network by AS number, an agent of 4 characters or more, a
 * device name. An application and a time range do not; nor do "every address" (0.0.0.0/0,
 * ::/0) or an agent of one letter, which only dress up an application-wide revocation.
 */
export const searchNarrows = (filter: NarrowingFilter): boolean =>
  (!!filter.ip && ipNarrows(filter.ip)) ||
  !!filter.asn ||
  (!!filter.user_agent && filter.user_agent.trim().length >= MIN_NARROWING_AGENT) ||
  !!filter.device_name;

/**
 * Revoking a search's result set: a filter that does not narrow (see searchNarrows) revokes
 * every token of an application, which the Applications area reserves to manageApplications;
 * so does revoking such a result here. The BFF also decides on the result itself (its share
 * of an application's live tokens, its size): the preview's `admin_only`.
 */
export const searchRevokePermission = (filter: NarrowingFilter): Permission =>
  searchNarrows(filter) ? 'searchTokens' : 'manageApplications';

/** Why support cannot revoke such a result set (the BFF's 403, and the dashboard's dialog). */
export const WIDE_SEARCH_REVOKE_REASON =
  'Only an admin may revoke a result found without an address or a network no wider than a ' +
  '/16 (an IPv6 /32), an AS number, a user agent of 4 characters or more, or a device name: ' +
  'found by an application or a time range only, it reaches every token of the application ' +
  '(or every session of the period), as revoking in the Applications area does. Add one of ' +
  'those conditions, or ask an admin.';

/** Why support cannot act on this user (the BFF's 403, recorded as refused in the audit log). */
export const staffTargetReason = (role: Role) =>
  `Only an admin may revoke, unlink or end the credentials of a staff member: this user holds the console role ${role}. Ask an admin.`;
