import type { ActionResult, Impact, ImpactRequest } from '@rtc/contracts';
import { useCallback, useState } from 'react';
import { ActionResultRegion } from '../../../components/ui/action-result';
import { ConfirmDialog } from '../../../components/ui/confirm-dialog';
import { ErrorNotice } from '../../../components/ui/error-notice';
import { SkeletonBlock } from '../../../components/ui/skeleton';
import { paths } from '../../../config/paths';
import { ApiError } from '../../../lib/api-client';
import { useImpact, useUserAction } from '../api/user-access';
import { describeImpact, describeResult } from '../lib/describe-impact';
import { usePendingRevocations } from '../lib/pending-revocations';

export interface ActionCopy {
  title: string;
  confirmLabel: string;
  confirmWord?: string;
}

/** Bulk revocations of more tokens than this ask for a typed confirmation, as Unlink does. */
export const BULK_CONFIRM_AFTER = 3;
const BULK_WORD = 'REVOKE';

/** The keys a finished action marks "Revoked" until the listings agree. */
export function pendingKeys(request: ImpactRequest, result: ActionResult): string[] {
  const keys = [
    ...result.revoked_token_ids.map((id) => `token:${id}`),
    ...result.deleted_grant_ids.map((id) => `grant:${id}`),
    ...result.ended_session_ids.map((id) => `session:${id}`),
  ];
  if (request.action === 'device.unlink' || request.action === 'device.lost')
    keys.push(`device:${request.device_name}`);
  if (request.action === 'session.revoke') keys.push(`session:${request.session_id}`);
  return keys;
}

/**
 * One dialog per tab for its destructive actions: open(request, copy) shows the impact
 * preview from the BFF and the confirmation, and runs the action bound to exactly that
 * preview. When the BFF finds that the impact changed meanwhile (409), the dialog shows what
 * changed and the new preview, and asks again. After the action, `summary` says what was
 * revoked, announced and focused, with a link to its audit entry.
 */
export function useActionDialog(userId: string) {
  const [current, setCurrent] = useState<{ request: ImpactRequest; copy: ActionCopy } | null>(null);
  const [changed, setChanged] = useState<{ impact: Impact; changes: string[] } | null>(null);
  const [done, setDone] = useState<{ result: ActionResult; at: number } | null>(null);
  // After a success focus goes to the summary, not back to the (possibly vanishing) opener.
  const [focusResult, setFocusResult] = useState(false);
  const pending = usePendingRevocations(userId);
  const impact = useImpact(userId, current?.request ?? null);
  const action = useUserAction(userId, (request, result) => {
    pending.mark(pendingKeys(request, result));
    setDone({ result, at: Date.now() });
    setFocusResult(true);
    setCurrent(null);
  });
  const close = useCallback(() => {
    setCurrent(null);
    setChanged(null);
    action.reset();
  }, [action]);
  const open = (request: ImpactRequest, copy: ActionCopy) => {
    action.reset();
    setChanged(null);
    setFocusResult(false);
    setCurrent({ request, copy });
  };

  // What the dialog shows is what the action is bound to.
  const shown = changed?.impact ?? impact.data;
  const bulk =
    current?.request.action === 'refresh_tokens.revoke_all' && (shown?.tokens.length ?? 0) > BULK_CONFIRM_AFTER;
  const confirmWord = current?.copy.confirmWord ?? (bulk ? BULK_WORD : undefined);
  const confirm = () => {
    if (!current || !shown) return;
    action.mutate(
      { request: current.request, impact: shown },
      {
        onError: (err) => {
          if (err instanceof ApiError && err.changed) {
            setChanged(err.changed);
            action.reset();
          }
        },
      },
    );
  };

  const dialog = (
    <ConfirmDialog
      open={current !== null}
      title={current?.copy.title ?? ''}
      confirmLabel={
        changed ? `${current?.copy.confirmLabel ?? 'Confirm'} anyway` : (current?.copy.confirmLabel ?? 'Confirm')
      }
      {...(confirmWord ? { confirmWord } : {})}
      onConfirm={confirm}
      onClose={close}
      isPending={action.isPending}
      error={action.error}
      ready={shown !== undefined}
      restoreFocus={!focusResult}
    >
      {changed ? (
        <div className="callout callout-warn" role="alert" data-testid="impact-changed">
          <p>
            <strong>This changed since you opened it; nothing was revoked.</strong>
          </p>
          <ul>
            {changed.changes.map((change) => (
              <li key={change}>{change.charAt(0).toUpperCase() + change.slice(1)}.</li>
            ))}
          </ul>
          <p>Check what it does now, then confirm again.</p>
        </div>
      ) : null}
      {shown ? (
        <div className="impact" data-testid="impact">
          {describeImpact(shown).map((sentence) => (
            <p key={sentence}>{sentence}</p>
          ))}
        </div>
      ) : impact.error ? (
        <ErrorNotice error={impact.error} onRetry={() => void impact.refetch()} title="Could not preview this action" />
      ) : (
        <SkeletonBlock lines={2} label="Working out what this will revoke" />
      )}
    </ConfirmDialog>
  );
  const summary = <ActionSummary userId={userId} done={done} onDismiss={() => setDone(null)} />;
  return { open, dialog, summary, pending };
}

/** The result of the last action, in the shared result region. */
function ActionSummary({
  userId,
  done,
  onDismiss,
}: {
  userId: string;
  done: { result: ActionResult; at: number } | null;
  onDismiss: () => void;
}) {
  const outcome = done
    ? {
        title: 'Done.',
        sentence: describeResult(done.result.impact),
        auditHref: `${paths.audit}?user_id=${encodeURIComponent(userId)}&entry=${encodeURIComponent(done.result.audit_id)}`,
      }
    : null;
  return <ActionResultRegion done={outcome} onDismiss={onDismiss} />;
}
