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

/** An address or a network no wider than a /16 (IPv6 /32): an address without a prefix is one host. */
export const ipNarrows = (ip: string): boolean => {
  const [address = '', prefix] = ip.split('/');
  if (prefix === undefined) return true;
  // The tenant matches IPv4 addresses in their ::ffff:-mapped form too, so ::ffff:0:0/96 is
  // every IPv4 address: a mapped network is as wide as the IPv4 network under its last 32 bits.
  if (/^::ffff:/i.test(address) && Number(prefix) >= 96) return Number(prefix) - 96 >= NARROWEST_WIDE_PREFIX.ipv4;
  return Number(prefix) >= (address.includes(':') ? NARROWEST_WIDE_PREFIX.ipv6 : NARROWEST_WIDE_PREFIX.ipv4);
};

type NarrowingFilter = { ip?: string | undefined; asn?: string | undefined; user_agent?: string | undefined; device_name?: string | undefined };

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
export const searchRevokePermission = (filter: NarrowingFilter): Permission => (searchNarrows(filter) ? 'searchTokens' : 'manageApplications');

/** Why support cannot revoke such a result set (the BFF's 403, and the dashboard's dialog). */
export const WIDE_SEARCH_REVOKE_REASON =
  'Only an admin may revoke a result found without an address or a network no wider than a /16 (an IPv6 /32), an AS number, a user agent of 4 characters or more, or a device name: found by an application or a time range only, it reaches every token of the application (or every session of the period), as revoking in the Applications area does. Add one of those conditions, or ask an admin.';

/** Why support cannot act on this user (the BFF's 403, recorded as refused in the audit log). */
export const staffTargetReason = (role: Role) =>
  `Only an admin may revoke, unlink or end the credentials of a staff member: this user holds the console role ${role}. Ask an admin.`;
