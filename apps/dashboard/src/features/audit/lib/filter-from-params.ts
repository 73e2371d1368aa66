import { AUDIT_RESULTS } from '@rtc/contracts/audit';
import type { AuditFilter } from '../api/audit';
import { AUDIT_ACTIONS_LIST } from '../components/audit-actions';

/**
 * The audit filter a URL asks for, and what in it could not be used. A link is typed, pasted or
 * cut short by people; a bad parameter is left out and named, never a failed page (an invalid
 * date made `toISOString()` throw during render).
 */
export function auditFilterFromParams(params: URLSearchParams): { filter: AuditFilter; unusable: string[] } {
  const unusable: string[] = [];
  const filter: AuditFilter = { page: Math.max(0, Number(params.get('page') ?? 0) || 0) };
  const actor = params.get('actor');
  if (actor) filter.actor = actor;
  const userId = params.get('user_id');
  if (userId) filter.user_id = userId;

  const action = params.get('action');
  const knownAction = AUDIT_ACTIONS_LIST.find(([value]) => value === action)?.[0];
  if (knownAction) filter.action = knownAction;
  else if (action) unusable.push(`“action” (${action}) is not an action the log records`);

  const result = params.get('result');
  const knownResult = AUDIT_RESULTS.find((value) => value === result);
  if (knownResult) filter.result = knownResult;
  else if (result) unusable.push(`“result” (${result}) is not one of ${AUDIT_RESULTS.join(', ')}`);

  for (const key of ['from', 'to'] as const) {
    const value = params.get(key);
    if (!value) continue;
    // datetime-local, in the viewer's time zone, as the filter's inputs write it.
    const at = new Date(value);
    if (Number.isNaN(at.getTime())) unusable.push(`“${key}” (${value}) is not a date and time`);
    else filter[key] = at.toISOString();
  }
  return { filter, unusable };
}
