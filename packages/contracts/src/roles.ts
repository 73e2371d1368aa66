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
} as const satisfies Record<string, readonly Role[]>;
export type Permission = keyof typeof CAN;

export const can = (role: Role | undefined, permission: Permission): boolean =>
  role !== undefined && (CAN[permission] as readonly Role[]).includes(role);

/** The search conditions that single out where tokens or sessions were used: an address, network, agent or device. */
const NARROWING_FILTERS = ['ip', 'asn', 'user_agent', 'device_name'] as const;

/**
 * Revoking a search's result set: a filter with none of the narrowing conditions (only an
 * application and a time range, say) revokes every token of an application, which the
 * Applications area reserves to manageApplications; so does revoking such a result here.
 */
export const searchRevokePermission = (filter: Partial<Record<(typeof NARROWING_FILTERS)[number], unknown>>): Permission =>
  NARROWING_FILTERS.some((key) => filter[key] !== undefined && filter[key] !== '') ? 'searchTokens' : 'manageApplications';

/** Why support cannot revoke such a result set (the BFF's 403, and the dashboard's dialog). */
export const WIDE_SEARCH_REVOKE_REASON =
  'Only an admin may revoke a result found without an address, network, user agent or device name: found by an application or a time range only, it reaches every token of the application (or every session of the period), as revoking in the Applications area does. Add one of those conditions, or ask an admin.';

/** Why support cannot act on this user (the BFF's 403, recorded as refused in the audit log). */
export const staffTargetReason = (role: Role) =>
  `Only an admin may revoke, unlink or end the credentials of a staff member: this user holds the console role ${role}. Ask an admin.`;
