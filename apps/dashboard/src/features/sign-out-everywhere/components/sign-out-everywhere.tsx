import type { SignOutEverywhereResult, UserDetail } from '@rtc/contracts';
import { can, staffTargetReason } from '@rtc/contracts/roles';
import { useQuery } from '@tanstack/react-query';
import { useCallback, useId, useState } from 'react';
import { ActionResultRegion } from '../../../components/ui/action-result';
import { Button } from '../../../components/ui/button';
import { ConfirmDialog } from '../../../components/ui/confirm-dialog';
import { ErrorNotice } from '../../../components/ui/error-notice';
import { SkeletonBlock } from '../../../components/ui/skeleton';
import { paths } from '../../../config/paths';
import { ApiError } from '../../../lib/api-client';
import { useMe } from '../../auth/api/get-me';
import { signOutImpactQuery, useSignOutEverywhere } from '../api/sign-out-everywhere';
import { describeSignOut, describeSignOutResult } from '../lib/describe';

/** Typed to confirm, as Unlink (UNLINK) and "lost or stolen" (LOST) ask. */
export const SIGN_OUT_WORD = 'SIGN OUT';

/**
 * "Sign out everywhere" on a user's page: the button (for roles that may revoke),
 * the dialog with the binding preview (tokens by device and application, sessions), "Also
 * block this user", and the result, said, announced and focused. When the BFF answers 409 (a
 * token or session appeared or went since the preview) nothing was done: the dialog says so
 * and shows the new preview.
 */
export function useSignOutEverywhereAction(user: UserDetail) {
  const me = useMe();
  const role = me.data?.user.role;
  const [open, setOpen] = useState(false);
  const [block, setBlock] = useState(false);
  const [changed, setChanged] = useState<string | null>(null);
  const [done, setDone] = useState<SignOutEverywhereResult | null>(null);
  const impact = useQuery({ ...signOutImpactQuery(user.user_id), enabled: open });
  const action = useSignOutEverywhere(user.user_id);
  const blockId = useId();

  const close = useCallback(() => {
    setOpen(false);
    setChanged(null);
    action.reset();
  }, [action]);

  if (!can(role, 'revoke')) return { button: null, dialog: null, summary: null };

  // Support may not act on a staff member (the BFF answers 403 too): said, nothing to confirm.
  const staffRefusal = user.console_role && !can(role, 'actOnStaff') ? staffTargetReason(user.console_role) : null;
  const preview = impact.isFetching ? undefined : impact.data;
  const blocking = block && !!preview && !preview.blocked && can(role, 'blockUsers');
  const nothing = !!preview && preview.tokens === 0 && preview.sessions.length === 0 && !blocking;
  const conflict = action.error instanceof ApiError && action.error.status === 409;
  const sentences = preview ? describeSignOut(preview) : null;

  const button = (
    <Button
      variant="danger"
      onClick={() => {
        action.reset();
        setChanged(null);
        setBlock(false);
        setDone(null);
        setOpen(true);
      }}
    >
      Sign out everywhere
    </Button>
  );

  const dialog = (
    <ConfirmDialog
      open={open}
      title={`Sign ${user.name ?? user.email ?? user.user_id} out everywhere?`}
      confirmLabel={
        changed
          ? `${blocking ? 'Sign out and block' : 'Sign out everywhere'} now`
          : blocking
            ? 'Sign out and block'
            : 'Sign out everywhere'
      }
      confirmWord={SIGN_OUT_WORD}
      ready={!!preview && !staffRefusal && !nothing}
      isPending={action.isPending}
      error={conflict ? undefined : (action.error ?? undefined)}
      restoreFocus={done === null}
      onClose={close}
      onConfirm={() => {
        if (!preview) return;
        setChanged(null);
        action.mutate(
          { impact: preview, block: blocking },
          {
            onSuccess: (result) => {
              setDone(result);
              setOpen(false);
            },
            onError: (err) => {
              if (err instanceof ApiError && err.status === 409) {
                setChanged(err.message);
                void impact.refetch();
              }
            },
          },
        );
      }}
    >
      {changed ? (
        <div className="callout callout-warn" role="alert" data-testid="impact-changed">
          <p>
            <strong>This changed since you opened it; nothing was revoked and nobody was blocked.</strong>
          </p>
          <p>{changed}</p>
          <p>Check what it does now, then confirm again.</p>
        </div>
      ) : null}
      {staffRefusal ? (
        <p className="callout callout-warn" role="alert">
          {staffRefusal}
        </p>
      ) : null}
      {preview && sentences ? (
        <div className="impact" data-testid="impact">
          <p>{sentences.tokens}</p>
          {sentences.devices ? <p>{sentences.devices}</p> : null}
          {sentences.applications ? <p>{sentences.applications}</p> : null}
          <p>{sentences.sessions}</p>
          {preview.truncated ? (
            <p className="callout callout-warn">
              The user holds more refresh tokens than the console lists: every one of them is revoked, not only those
              counted here.
            </p>
          ) : null}
          {preview.blocked ? (
            <p>{preview.user_name} is blocked already.</p>
          ) : can(role, 'blockUsers') ? (
            <div className="field-inline">
              <input
                id={blockId}
                type="checkbox"
                checked={block}
                onChange={(e) => setBlock(e.target.checked)}
                disabled={action.isPending}
              />
              <label htmlFor={blockId}>Also block this user</label>
              <p className="muted small">
                A blocked user cannot sign in, and the tenant refuses their refresh tokens, until unblocked at the
                tenant.
              </p>
            </div>
          ) : null}
          {nothing ? <p className="callout">There is nothing to revoke or end.</p> : null}
          <p className="muted small">
            If a token or session appears or goes before you confirm, nothing is done and the new preview is shown.
          </p>
        </div>
      ) : impact.error ? (
        <ErrorNotice error={impact.error} onRetry={() => void impact.refetch()} title="Could not preview this" />
      ) : (
        <SkeletonBlock lines={3} label="Working out what this will revoke" />
      )}
    </ConfirmDialog>
  );

  const summary = <SignOutSummary userId={user.user_id} done={done} onDismiss={() => setDone(null)} />;
  return { button, dialog, summary };
}

/** The result, in the shared result region. */
function SignOutSummary({
  userId,
  done,
  onDismiss,
}: {
  userId: string;
  done: SignOutEverywhereResult | null;
  onDismiss: () => void;
}) {
  const outcome = done
    ? {
        title: 'Signed out everywhere.',
        sentence: describeSignOutResult(done),
        auditHref: `${paths.audit}?user_id=${encodeURIComponent(userId)}&entry=${encodeURIComponent(done.audit_id)}`,
      }
    : null;
  return <ActionResultRegion done={outcome} onDismiss={onDismiss} testId="sign-out-result" />;
}
