import type { AuditAction } from '@rtc/contracts';
import type { Context } from 'hono';
import type { BffDeps } from '../deps.ts';
import type { BffEnv } from '../env.ts';
import { BffError } from '../errors.ts';

/**
 * Runs a destructive action and records it in the audit log: who, their role, what, the
 * target, the result, when, and the request id. A failure or a refusal (403) is recorded too,
 * then rethrown.
 */
export async function audited<T>(
  c: Context<BffEnv>,
  deps: BffDeps,
  entry: { action: AuditAction; target: string; target_user_id: string | null },
  run: () => Promise<{ value: T; detail: string }>,
): Promise<T> {
  return (await auditedWithId(c, deps, entry, run)).value;
}

/** As audited, also answering the audit entry's id (for a result that links to it). */
export async function auditedWithId<T>(
  c: Context<BffEnv>,
  deps: BffDeps,
  entry: { action: AuditAction; target: string; target_user_id: string | null },
  run: () => Promise<{ value: T; detail: string; target?: string }>,
): Promise<{ value: T; auditId: string }> {
  const session = c.get('session')!;
  const base = {
    ...entry,
    actor: { sub: session.sub, name: session.name, role: session.role },
    request_id: c.get('requestId'),
  };
  try {
    // The target may be named only once the action knows it (an application, not a grant id).
    const { value, detail, target } = await run();
    const recorded = await deps.store.recordAudit(
      { ...base, ...(target ? { target } : {}), result: 'success', detail },
      deps.now(),
    );
    return { value, auditId: recorded.id };
  } catch (err) {
    // A failure part-way says what was done before it (BffError's auditDetail), in full.
    const detail =
      err instanceof BffError && err.extra.auditDetail ? err.extra.auditDetail : (err as Error).message.slice(0, 500);
    // A 403 did nothing: refused, which the investigator filters apart from failures part-way.
    const refused = err instanceof BffError && err.status === 403;
    await deps.store.recordAudit({ ...base, result: refused ? 'refused' : 'failure', detail }, deps.now());
    if (refused) err.extra.audited = true;
    throw err;
  }
}

/**
 * Records a read of data across users (a search, the preview of what an action would revoke):
 * an investigator asks who looked at what, not only who changed it.
 */
export async function recordRead(
  c: Context<BffEnv>,
  deps: BffDeps,
  entry: { action: AuditAction; target: string; target_user_id: string | null; detail: string },
): Promise<void> {
  const session = c.get('session')!;
  await deps.store.recordAudit(
    {
      ...entry,
      actor: { sub: session.sub, name: session.name, role: session.role },
      result: 'success',
      request_id: c.get('requestId'),
    },
    deps.now(),
  );
}

/**
 * Records a 403 that no audited action recorded (the role may not use the route, say), as
 * `access.refused` with the request as its target. Never masks the refusal: a store failure
 * is logged and the 403 still answered.
 */
const USER_PATH = /^\/api\/users\/([^/]{1,255})(\/|$)/;

export async function recordRefusal(c: Context<BffEnv>, deps: BffDeps, err: Error): Promise<void> {
  const session = c.get('session');
  if (!(err instanceof BffError) || err.status !== 403 || err.code !== 'forbidden' || err.extra.audited || !session)
    return;
  err.extra.audited = true;
  await deps.store
    .recordAudit(
      {
        actor: { sub: session.sub, name: session.name, role: session.role },
        action: 'access.refused',
        // A refusal on a user's page is found by that user too.
        target_user_id: USER_PATH.exec(c.req.path)?.[1] ?? null,
        target: `${c.req.method} ${c.req.path.slice(0, 300)}`,
        result: 'refused',
        detail: err.message,
        request_id: c.get('requestId'),
      },
      deps.now(),
    )
    .catch((storeErr: unknown) =>
      deps.logger.error('could not record a refusal in the audit log', {
        requestId: c.get('requestId'),
        error: (storeErr as Error).message,
      }),
    );
}
