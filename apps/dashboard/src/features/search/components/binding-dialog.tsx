import type { UseQueryResult } from '@tanstack/react-query';
import { useState, type ReactNode } from 'react';
import { ActionResultRegion } from '../../../components/ui/action-result';
import { ConfirmDialog } from '../../../components/ui/confirm-dialog';
import { ErrorNotice } from '../../../components/ui/error-notice';
import { SkeletonBlock } from '../../../components/ui/skeleton';
import { paths } from '../../../config/paths';
import { ApiError } from '../../../lib/api-client';
import { shownOf } from '../../../lib/summarise';
import { useCan } from '../../auth/api/get-me';

/** What a result set's preview has, whatever it revokes. */
export interface BoundPreview {
  over_limit: boolean;
  /** Why only an admin may revoke this result (the BFF decides on the result, and refuses support with 403 as well). */
  admin_only: string | null;
  digest: string;
  first_users: { user_id: string; email: string | null }[];
}

/**
 * Revoking a search's result set: the binding preview (what the caller says of it, the users
 * affected), REVOKE typed in, and the action bound to exactly what the preview matched. When
 * the BFF answers 409 (the result set changed meanwhile), nothing was done: the dialog says
 * what changed, shows the new preview, and asks again.
 */
export function BindingDialog<P extends BoundPreview>(props: {
  title: string;
  confirmLabel: string;
  /** "tokens", "sessions": in "The tokens this search finds changed". */
  noun: string;
  impact: UseQueryResult<P>;
  /** How many the preview would act on (0: nothing to confirm). */
  count: (preview: P) => number;
  describe: (preview: P) => ReactNode;
  overLimit: (preview: P) => ReactNode;
  /** "2 tokens", beside each user affected. */
  perUser: (user: P['first_users'][number]) => string;
  /** How many users the whole result reaches, when more than the first listed may: "10 of 15 users, and 5 more". */
  usersTotal?: (preview: P) => number;
  loadingLabel: string;
  isPending: boolean;
  error: unknown;
  onConfirm: (preview: P, onConflict: (message: string) => void) => void;
  onClose: () => void;
  /** The preview shown before a step-up sign-in: shown again, and what the confirmation binds to. */
  shown?: P;
  /** Keeps the preview shown before the step-up sign-in. */
  onStepUp?: (preview: P) => void;
}) {
  const { impact } = props;
  const [changed, setChanged] = useState<string | null>(null);
  const [kept, setKept] = useState(props.shown);
  const preview = kept ?? impact.data;
  const settled = !!kept || !impact.isFetching;
  const conflict = props.error instanceof ApiError && props.error.status === 409;
  const adminOnly = useCan('manageApplications') ? null : (preview?.admin_only ?? null);
  return (
    <ConfirmDialog
      open
      title={props.title}
      confirmLabel={changed ? `${props.confirmLabel} now` : props.confirmLabel}
      confirmWord="REVOKE"
      ready={!!preview && settled && !preview.over_limit && !adminOnly && props.count(preview) > 0}
      isPending={props.isPending}
      error={conflict ? undefined : (props.error ?? impact.error)}
      restoreFocus={false}
      onClose={props.onClose}
      onStepUp={() => preview && props.onStepUp?.(preview)}
      onConfirm={() => {
        if (!preview) return;
        setChanged(null);
        props.onConfirm(preview, (message) => {
          setChanged(message);
          setKept(undefined);
          void impact.refetch();
        });
      }}
    >
      {changed ? (
        <div className="callout callout-warn" role="alert" data-testid="impact-changed">
          <p>
            <strong>The {props.noun} this search finds changed since you opened it; nothing was done.</strong>
          </p>
          <p>{changed}</p>
          <p>Check what it does now, then confirm again.</p>
        </div>
      ) : null}
      {preview && settled ? (
        preview.over_limit ? (
          <p className="callout" role="alert">
            {props.overLimit(preview)}
          </p>
        ) : (
          <div data-testid="impact">
            <p>{props.describe(preview)}</p>
            {adminOnly ? (
              <p className="callout callout-warn" role="alert" data-testid="admin-only">
                {adminOnly}
              </p>
            ) : null}
            {preview.first_users.length > 0 ? (
              <>
                <p>
                  Users affected, most first
                  {props.usersTotal
                    ? ` (${shownOf(preview.first_users.length, props.usersTotal(preview), 'user')})`
                    : ''}
                  :
                </p>
                <ul aria-label="Users affected">
                  {preview.first_users.map((u) => (
                    <li key={u.user_id}>
                      {u.email ?? u.user_id} ({props.perUser(u)})
                    </li>
                  ))}
                </ul>
              </>
            ) : null}
            <p className="muted small">
              If what the search finds changes before you confirm, nothing is done and the new preview is shown.
            </p>
          </div>
        )
      ) : impact.error ? null : (
        <SkeletonBlock lines={2} label={props.loadingLabel} />
      )}
      {impact.error ? (
        <ErrorNotice error={impact.error} onRetry={() => void impact.refetch()} title="Could not preview this" />
      ) : null}
    </ConfirmDialog>
  );
}

/** A 409 from the BFF: the result set changed; anything else stays the action's error. */
export const onConflictOf = (onConflict: (message: string) => void) => (err: unknown) => {
  if (err instanceof ApiError && err.status === 409) onConflict(err.message);
};

/** The result of the last action, in the shared result region, with a link to its audit entry. */
export function ResultSummary({
  done,
  onDismiss,
}: {
  done: { sentence: string; action: string; auditId: string } | null;
  onDismiss: () => void;
}) {
  const outcome = done
    ? {
        title: 'Done.',
        sentence: done.sentence,
        auditHref: `${paths.audit}?action=${done.action}&entry=${encodeURIComponent(done.auditId)}`,
      }
    : null;
  return <ActionResultRegion done={outcome} onDismiss={onDismiss} />;
}
