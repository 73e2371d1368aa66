/**
 * The BFF's API for the dashboard: every request it validates and every body it answers, by
 * area. Times are ISO 8601 strings; ids are the Management API's. The endpoint table that ties
 * each of them to its route is `@rtc/contracts/endpoints`.
 */

export {
  ROLES,
  CAN,
  can,
  searchNarrows,
  searchRevokePermission,
  staffTargetReason,
  WIDE_SEARCH_REVOKE_REASON,
  type Role as RoleName,
  type Permission,
} from './roles.ts';
export {
  AUDIT_ACTIONS,
  AUDIT_ACTION_KINDS,
  AUDIT_ACTION_LABELS,
  AUDIT_KINDS,
  AUDIT_RESULTS,
  actionsOfKind,
} from './audit.ts';
export { bindingOf, bindingWords, shortThumbprint, DPOP_BOUND_TOKEN_REFUSED } from './binding.ts';

export * from './errors.ts';
export * from './session.ts';
export * from './users.ts';
export * from './user-access.ts';
export * from './locations.ts';
export * from './impact.ts';
export * from './sign-out-everywhere.ts';
export * from './settings.ts';
export * from './audit-log.ts';
export * from './history.ts';
export * from './applications.ts';
export * from './search.ts';
export * from './search-revoke.ts';
export * from './contain.ts';
