import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { Button } from '../../../components/ui/button';
import { EmptyState } from '../../../components/ui/empty-state';
import { ErrorNotice } from '../../../components/ui/error-notice';
import { RelativeTime } from '../../../components/ui/relative-time';
import { SkeletonRows } from '../../../components/ui/skeleton';
import { revokedQuery } from '../api/history';
import { endedSessionSummary, revokedTokenSummary } from '../lib/summary';
import { StaffCell } from './staff-cell';

/** Copies a plain-language summary for the customer, and says it did. */
export function CopySummary({ text, label }: { text: string; label: string }) {
  const [copied, setCopied] = useState<'yes' | 'no' | null>(null);
  return (
    <>
      <Button
        aria-label={label}
        onClick={() =>
          void navigator.clipboard.writeText(text).then(
            () => setCopied('yes'),
            () => setCopied('no'),
          )
        }
      >
        Copy summary
      </Button>
      <span role="status" className="muted small">
        {copied === 'yes' ? ' Copied.' : copied === 'no' ? ' Could not copy: select the text below.' : ''}
      </span>
      <details className="small">
        <summary>Summary for the customer</summary>
        <p>{text}</p>
      </details>
    </>
  );
}

/**
 * "Revoked": the user's refresh tokens revoked and sessions ended, with when, by which way
 * in and by whom, kept after they left the live tabs; from the embedded tenant's records, or
 * (a tenant that keeps none, such as a real Auth0 tenant) from this console's audit log.
 */
export function RevokedView({ userId }: { userId: string }) {
  const revoked = useQuery(revokedQuery(userId));
  const data = revoked.data;
  return (
    <section aria-labelledby="revoked-heading">
      <h3 id="revoked-heading" className="section-title">
        Revoked
      </h3>
      {data ? (
        <p className="muted">
          {data.source === 'tenant'
            ? `Refresh tokens revoked and sessions ended in the last ${data.retention_days} days, from the tenant's records.`
            : data.note}
        </p>
      ) : null}
      {revoked.error ? (
        <ErrorNotice
          error={revoked.error}
          onRetry={() => void revoked.refetch()}
          title="Could not load what was revoked"
        />
      ) : null}
      {revoked.isPending ? (
        <table className="table">
          <SkeletonRows columns={5} rows={2} label="Loading what was revoked" />
        </table>
      ) : null}
      {data?.source === 'tenant' ? (
        <>
          <table className="table">
            <caption>Revoked refresh tokens</caption>
            <thead>
              <tr>
                <th scope="col">Revoked</th>
                <th scope="col">Application and device</th>
                <th scope="col">Way in</th>
                <th scope="col">By staff</th>
                <th scope="col">For the customer</th>
              </tr>
            </thead>
            <tbody>
              {data.refresh_tokens.map((token) => {
                const device = `${token.client_name}${token.device_name ? ` on "${token.device_name}"` : ''}`;
                return (
                  <tr key={token.id}>
                    <td>
                      <RelativeTime value={token.revoked_at} />
                    </td>
                    <th scope="row">
                      {device}
                      <div className="muted small">
                        Refresh token <code>{token.id}</code>
                      </div>
                    </th>
                    <td>{token.way}</td>
                    <td>
                      <StaffCell staff={token.staff} />
                    </td>
                    <td>
                      <CopySummary text={revokedTokenSummary(token)} label={`Copy summary: ${device}`} />
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
          {data.refresh_tokens.length === 0 ? <EmptyState title="No refresh token revoked in this time" /> : null}
          <table className="table">
            <caption>Ended sessions</caption>
            <thead>
              <tr>
                <th scope="col">Ended</th>
                <th scope="col">Applications</th>
                <th scope="col">Last address</th>
                <th scope="col">By staff</th>
                <th scope="col">For the customer</th>
              </tr>
            </thead>
            <tbody>
              {data.sessions.map((session) => (
                <tr key={session.id}>
                  <td>
                    <RelativeTime value={session.ended_at} />
                  </td>
                  <th scope="row">
                    {session.applications.join(', ') || 'No application'}
                    <div className="muted small">
                      Session <code>{session.id}</code>
                    </div>
                  </th>
                  <td>{session.last_ip ?? '—'}</td>
                  <td>
                    <StaffCell staff={session.staff} />
                  </td>
                  <td>
                    <CopySummary text={endedSessionSummary(session)} label={`Copy summary: session ${session.id}`} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          {data.sessions.length === 0 ? <EmptyState title="No session ended in this time" /> : null}
        </>
      ) : null}
      {data?.source === 'audit' ? (
        data.actions.length ? (
          <ul>
            {data.actions.map((a) => (
              <li key={a.audit_id}>
                <RelativeTime value={a.at} /> {a.actor}: {a.target}
                <div className="muted small">{a.detail}</div>
              </li>
            ))}
          </ul>
        ) : (
          <EmptyState title="Nothing revoked through this console in this time" />
        )
      ) : null}
    </section>
  );
}
