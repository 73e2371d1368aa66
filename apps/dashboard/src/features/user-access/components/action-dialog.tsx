import type { ActionResult, ImpactRequest } from '@rtc/contracts';
import { useCallback, useState } from 'react';
import { ConfirmDialog } from '../../../components/ui/confirm-dialog';
import { ErrorNotice } from '../../../components/ui/error-notice';
import { SkeletonBlock } from '../../../components/ui/skeleton';
import { useImpact, useUserAction } from '../api/user-access';
import { describeImpact } from '../lib/describe-impact';
import { usePendingRevocations } from '../lib/pending-revocations';

export interface ActionCopy {
  title: string;
  confirmLabel: string;
  confirmWord?: string;
}

/** The keys a finished action marks "Revoking…" until the listings agree. */
export function pendingKeys(request: ImpactRequest, result: ActionResult): string[] {
  const keys = [...result.revoked_token_ids.map((id) => `token:${id}`), ...result.deleted_grant_ids.map((id) => `grant:${id}`)];
  if (request.action === 'device.unlink') keys.push(`device:${request.device_name}`);
  if (request.action === 'session.revoke') keys.push(`session:${request.session_id}`);
  return keys;
}

/**
 * One dialog per tab for its destructive actions: open(request, copy) shows the impact
 * preview from the BFF, the confirmation (typing UNLINK where asked), and runs the action.
 */
export function useActionDialog(userId: string) {
  const [current, setCurrent] = useState<{ request: ImpactRequest; copy: ActionCopy } | null>(null);
  const pending = usePendingRevocations(userId);
  const impact = useImpact(userId, current?.request ?? null);
  const action = useUserAction(userId, (request, result) => {
    pending.mark(pendingKeys(request, result));
    setCurrent(null);
  });
  const close = useCallback(() => {
    setCurrent(null);
    action.reset();
  }, [action]);
  const open = (request: ImpactRequest, copy: ActionCopy) => {
    action.reset();
    setCurrent({ request, copy });
  };

  const dialog = (
    <ConfirmDialog
      open={current !== null}
      title={current?.copy.title ?? ''}
      confirmLabel={current?.copy.confirmLabel ?? 'Confirm'}
      {...(current?.copy.confirmWord ? { confirmWord: current.copy.confirmWord } : {})}
      onConfirm={() => current && action.mutate(current.request)}
      onClose={close}
      isPending={action.isPending}
      error={action.error}
      ready={impact.isSuccess}
    >
      {impact.isPending ? (
        <SkeletonBlock lines={2} label="Working out what this will revoke" />
      ) : impact.error ? (
        <ErrorNotice error={impact.error} onRetry={() => void impact.refetch()} title="Could not preview this action" />
      ) : (
        <div className="impact" data-testid="impact">
          {describeImpact(impact.data).map((sentence) => (
            <p key={sentence}>{sentence}</p>
          ))}
        </div>
      )}
    </ConfirmDialog>
  );
  return { open, dialog, pending };
}
