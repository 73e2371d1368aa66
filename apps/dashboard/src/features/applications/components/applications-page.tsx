import type {
  ApplicationImpact,
  ApplicationRevokeResult,
  ApplicationSummary,
  LeakedSecretResult,
  TokenCounts,
} from '@rtc/contracts';
import { useQuery } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { ActionResultRegion } from '../../../components/ui/action-result';
import { Button } from '../../../components/ui/button';
import { ConfirmDialog } from '../../../components/ui/confirm-dialog';
import { ErrorNotice } from '../../../components/ui/error-notice';
import { forgetStepUp, isStepUpRequired, rememberForStepUp, resumeAfterStepUp } from '../../../lib/step-up';
import { shownOf } from '../../../lib/summarise-list';
import { useTitle } from '../../../lib/use-title';
import { useCan } from '../../auth/api/get-me';
import { applicationImpactQuery, applicationsQuery, useRevokeApplicationTokens } from '../api/applications';
import { LeakedSecretFlow, leakedSecretWords } from './leaked-secret';
import { paths } from '../../../config/paths';

const plural = (n: number, word: string) => `${n.toLocaleString()} ${word}${n === 1 ? '' : 's'}`;
const describe = (c: TokenCounts) =>
  `${plural(c.tokens, 'refresh token')} of ${plural(c.users, 'user')} on ${plural(c.devices, 'device')}`;

/** Applications (admin only): live token, user and device counts, and revoking every token of one application. */
export function ApplicationsPage() {
  useTitle('Applications');
  const allowed = useCan('manageApplications');
  const list = useQuery({ ...applicationsQuery(), enabled: allowed });
  // Back from a step-up sign-in: the same dialog, with the preview it showed (still what binds).
  const [resumed] = useState(() =>
    resumeAfterStepUp<{ app: ApplicationSummary; shown: ApplicationImpact }>('application-revoke'),
  );
  useEffect(() => {
    if (resumed) forgetStepUp();
  }, [resumed]);
  const [revoking, setRevoking] = useState<ApplicationSummary | null>(resumed?.app ?? null);
  const [result, setResult] = useState<ApplicationRevokeResult | null>(null);
  const [leaking, setLeaking] = useState<ApplicationSummary | null>(null);
  const [leakResult, setLeakResult] = useState<Omit<LeakedSecretResult, 'client_secret'> | null>(null);

  if (!allowed) {
    return (
      <main className="page" aria-labelledby="applications-title">
        <h1 id="applications-title">Applications</h1>
        <p className="callout" role="alert">
          The Applications area is for admins.
        </p>
      </main>
    );
  }
  return (
    <main className="page" aria-labelledby="applications-title">
      <h1 id="applications-title">Applications</h1>
      <p className="muted">
        Live refresh tokens of each application, across all users. Revoking them signs every user of the application out
        of it on every device.
      </p>
      {list.data?.counts_unavailable ? (
        <p className="notice" role="note">
          {list.data.counts_unavailable}
        </p>
      ) : null}
      {result ? (
        <div className="notice" role="status">
          Revoked all refresh tokens of {result.name}: {describe(result.revoked)}. They are refused from now on. Audit
          entry {result.audit_id}.
        </div>
      ) : null}
      <ActionResultRegion
        done={
          leakResult && {
            title: 'Done.',
            sentence: leakedSecretWords(leakResult),
            auditHref: `${paths.audit}?action=application.leaked_secret&entry=${encodeURIComponent(leakResult.audit_id)}`,
          }
        }
        onDismiss={() => setLeakResult(null)}
        testId="leaked-secret-result"
      />
      {list.error ? <ErrorNotice error={list.error} onRetry={() => void list.refetch()} /> : null}
      {list.isPending ? <p aria-busy="true">Loading applications…</p> : null}
      {list.data ? (
        <table className="table">
          <caption className="visually-hidden">Applications and their live refresh tokens</caption>
          <thead>
            <tr>
              <th scope="col">Application</th>
              <th scope="col">Refresh tokens</th>
              <th scope="col">Bound to a key (DPoP)</th>
              <th scope="col">Bearer</th>
              <th scope="col">Users</th>
              <th scope="col">Devices</th>
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {list.data.applications.map((app) => (
              <tr key={app.client_id}>
                <th scope="row">
                  {app.name}
                  <div className="muted small">{app.client_id}</div>
                </th>
                <td>{app.counts ? app.counts.tokens.toLocaleString() : 'not available'}</td>
                {/* The tenant's extension counts bound tokens; one that does not say is not guessed at. */}
                <td>{app.counts && app.bound !== null ? app.bound.toLocaleString() : 'not available'}</td>
                <td>
                  {app.counts && app.bound !== null
                    ? (app.counts.tokens - app.bound).toLocaleString()
                    : 'not available'}
                </td>
                <td>{app.counts ? app.counts.users.toLocaleString() : 'not available'}</td>
                <td>{app.counts ? app.counts.devices.toLocaleString() : 'not available'}</td>
                <td className="actions">
                  {app.counts && app.counts.tokens > 0 ? (
                    <Button
                      variant="danger"
                      onClick={() => setRevoking(app)}
                      aria-label={`Revoke all tokens of ${app.name}`}
                    >
                      Revoke all tokens
                    </Button>
                  ) : null}{' '}
                  {app.counts ? (
                    <Button
                      variant="secondary"
                      onClick={() => setLeaking(app)}
                      aria-label={`Secret leaked: ${app.name}`}
                    >
                      Secret leaked…
                    </Button>
                  ) : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      {revoking ? (
        <RevokeApplicationDialog
          app={revoking}
          {...(resumed && resumed.app.client_id === revoking.client_id ? { shown: resumed.shown } : {})}
          onClose={() => setRevoking(null)}
          onDone={(r) => {
            setRevoking(null);
            setResult(r);
          }}
        />
      ) : null}
      {leaking ? <LeakedSecretFlow app={leaking} onClose={() => setLeaking(null)} onDone={setLeakResult} /> : null}
    </main>
  );
}

function RevokeApplicationDialog({
  app,
  shown,
  onClose,
  onDone,
}: {
  app: ApplicationSummary;
  shown?: ApplicationImpact;
  onClose: () => void;
  onDone: (result: ApplicationRevokeResult) => void;
}) {
  // The preview shown before a step-up binds the confirmation; a 409 then shows the one of now.
  const [kept, setKept] = useState(shown);
  const impact = useQuery({ ...applicationImpactQuery(app.client_id), enabled: !kept });
  const revoke = useRevokeApplicationTokens(app.client_id);
  const preview = kept ?? impact.data;
  return (
    <ConfirmDialog
      open
      title="Revoke all tokens of this application"
      confirmLabel="Revoke all tokens"
      confirmWord={app.name}
      ready={!!preview && (!!kept || !impact.isFetching)}
      isPending={revoke.isPending}
      error={revoke.error ?? impact.error}
      restoreFocus={false}
      onClose={onClose}
      onStepUp={() => preview && rememberForStepUp('application-revoke', { app, shown: preview })}
      onConfirm={() => {
        if (!preview) return;
        revoke.mutate(
          { confirm_name: preview.name, expected: { ...preview.counts, issued_through: preview.issued_through } },
          {
            onSuccess: onDone,
            onError: (err) => {
              // A step-up changes nothing: the preview shown stays the one to confirm after it.
              if (isStepUpRequired(err)) return;
              setKept(undefined);
              void impact.refetch();
            },
          },
        );
      }}
    >
      {preview ? (
        <div>
          <p>
            This revokes <strong>{describe(preview.counts)}</strong> of <strong>{preview.name}</strong>, at once. Every
            user of it must sign in again.
          </p>
          {preview.first_users.length > 0 ? (
            <>
              <p>
                First users affected ({shownOf(preview.first_users.length, preview.counts.users, { one: 'user' })}):
              </p>
              <ul aria-label="First users affected">
                {preview.first_users.map((u) => (
                  <li key={u.user_id}>
                    {u.email ?? u.user_id} ({plural(u.tokens, 'token')})
                  </li>
                ))}
              </ul>
            </>
          ) : null}
          <p className="muted small">
            If the counts change before you confirm, nothing is revoked and the new counts are shown.
          </p>
        </div>
      ) : (
        <p aria-busy="true">Counting the tokens…</p>
      )}
    </ConfirmDialog>
  );
}
