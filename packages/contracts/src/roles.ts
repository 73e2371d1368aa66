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
} as const satisfies Record<string, readonly Role[]>;
export type Permission = keyof typeof CAN;

export const can = (role: Role | undefined, permission: Permission): boolean =>
  role !== undefined && (CAN[permission] as readonly Role[]).includes(role);
