import type { RefreshToken } from '@rtc/contracts';
import { useQuery } from '@tanstack/react-query';
import { Fragment, useMemo, useState } from 'react';
import { useSearchParams } from 'react-router';
import { Badge } from '../../../components/ui/badge';
import { Button } from '../../../components/ui/button';
import { EmptyState } from '../../../components/ui/empty-state';
import { ErrorNotice } from '../../../components/ui/error-notice';
import { RetryingNotice } from '../../../components/ui/retrying-notice';
import { RelativeTime } from '../../../components/ui/relative-time';
import { SkeletonRows } from '../../../components/ui/skeleton';
import { plural } from '../../../lib/format';
import { useCan } from '../../auth/api/get-me';
import { refreshTokensQuery, securityEventsQuery } from '../api/user-access';
import { filterTokens, sortTokens, SORT_KEYS, type SortKey, UNNAMED_DEVICE } from '../lib/token-table';
import { useRevocableList } from '../lib/use-revocable-list';
import { DetailsList } from '../../../components/ui/details-list';
import { useActionDialog } from './action-dialog';
import { ipWithPlace } from '../../../lib/ip-place';

const PAGE_SIZE = 50;

/** Everything the Management API knows of each refresh token; revoke one, or all. */
export function RefreshTokensTab({ userId }: { userId: string }) {
  const canRevoke = useCan('revoke');
  const { open, dialog, summary } = useActionDialog(userId);
  const { query: tokens, isRevoking } = useRevocableList(userId, 'token:', refreshTokensQuery, (data) => data.tokens.map((t) => t.id));
  const events = useQuery(securityEventsQuery(userId));
  const [params, setParams] = useSearchParams();
  const [expanded, setExpanded] = useState<string | null>(null);

  const app = params.get('app') ?? '';
  const device = params.get('device') ?? '';
  const sort = (SORT_KEYS as readonly string[]).includes(params.get('sort') ?? '') ? (params.get('sort') as SortKey) : 'created_at';
  const direction = params.get('dir') === 'asc' ? 'asc' : 'desc';
  const page = Math.max(0, Number(params.get('page') ?? 0) || 0);
  const update = (changes: Record<string, string | null>) =>
    setParams(
      (current) => {
        const next = new URLSearchParams(current);
        for (const [key, value] of Object.entries(changes)) value ? next.set(key, value) : next.delete(key);
        if (!('page' in changes)) next.delete('page');
        return next;
      },
      { replace: true },
    );

  const all = tokens.data?.tokens ?? [];
  const applications = useMemo(() => [...new Map(all.map((t) => [t.client_id, t.client_name])).entries()].sort((a, b) => a[1].localeCompare(b[1])), [all]);
  const devices = useMemo(() => [...new Set(all.map((t) => t.device_name ?? UNNAMED_DEVICE))].sort(), [all]);
  const visible = useMemo(() => sortTokens(filterTokens(all, { clientId: app, device }), sort, direction), [all, app, device, sort, direction]);
  const pageCount = Math.max(1, Math.ceil(visible.length / PAGE_SIZE));
  const shown = visible.slice(page * PAGE_SIZE, (page + 1) * PAGE_SIZE);
  const reuse = events.data?.events.filter((e) => e.type === 'ferrt') ?? [];
  const appName = applications.find(([id]) => id === app)?.[1];
  const bulkLabel = visible.length === 1 ? 'Revoke this token' : `Revoke these ${visible.length} tokens`;

  const header = (key: SortKey, label: string) => (
    <th scope="col" aria-sort={sort === key ? (direction === 'asc' ? 'ascending' : 'descending') : 'none'}>
      <button type="button" className="sort" onClick={() => update({ sort: key, dir: sort === key && direction === 'desc' ? 'asc' : 'desc' })}>
        {label}
        <span aria-hidden="true">{sort === key ? (direction === 'asc' ? ' ▲' : ' ▼') : ''}</span>
      </button>
    </th>
  );

  return (
    <section aria-labelledby="tokens-heading">
      <div className="section-head">
        <h2 id="tokens-heading" className="section-title">Refresh Tokens</h2>
        {canRevoke ? (
          // Acts on exactly the rows the filters show, on every page of them.
          <Button
            variant="danger"
            disabled={visible.length === 0}
            onClick={() =>
              open(
                { action: 'refresh_tokens.revoke_all', ...(app ? { client_id: app } : {}), ...(device ? { device_name: device } : {}) },
                { title: `${bulkLabel}${app || device ? ` (${[appName, device].filter(Boolean).join(' on ')})` : ''}?`, confirmLabel: bulkLabel },
              )
            }
          >
            {bulkLabel}
          </Button>
        ) : null}
      </div>
      {summary}

      {reuse.length > 0 ? (
        <div className="callout callout-danger" role="region" aria-label="Revoked token families">
          <h3>Revoked token families</h3>
          <ul>
            {reuse.map((event) => (
              <li key={event.id}>
                <Badge tone="danger">Reuse detected</Badge> {event.client_name ?? 'An application'} on {event.device_name ?? UNNAMED_DEVICE}: a rotated refresh token
                was used again, so its whole family was revoked <RelativeTime value={event.at} />
                {event.where ? ` (from ${event.where})` : ''}.
              </li>
            ))}
          </ul>
        </div>
      ) : null}

      <div className="filters" role="search" aria-label="Filter refresh tokens">
        <label>
          Application
          <select value={app} onChange={(e) => update({ app: e.target.value || null })}>
            <option value="">All applications</option>
            {applications.map(([id, name]) => (
              <option key={id} value={id}>
                {name}
              </option>
            ))}
          </select>
        </label>
        <label>
          Device
          <select value={device} onChange={(e) => update({ device: e.target.value || null })}>
            <option value="">All devices</option>
            {devices.map((name) => (
              <option key={name} value={name}>
                {name}
              </option>
            ))}
          </select>
        </label>
        <span className="muted" aria-live="polite">
          {tokens.data ? `${plural(visible.length, 'token')}${visible.length !== all.length ? ` of ${all.length}` : ''}` : ''}
        </span>
      </div>

      <RetryingNotice query={tokens} what="refresh tokens" />

      {tokens.error ? <ErrorNotice error={tokens.error} onRetry={() => void tokens.refetch()} title="Could not load refresh tokens" /> : null}
      {tokens.data?.truncated ? <p className="callout">This user has more refresh tokens than the console loads at once; the oldest are not shown.</p> : null}

      <table className="table tokens">
        <caption className="visually-hidden">Refresh tokens of this user</caption>
        <thead>
          <tr>
            {header('client_name', 'Application')}
            {header('device_name', 'Device')}
            {header('created_at', 'Created')}
            {header('last_exchanged_at', 'Last exchanged')}
            {header('expires_at', 'Expires')}
            <th scope="col">Status</th>
            <th scope="col"><span className="visually-hidden">Actions</span></th>
          </tr>
        </thead>
        {tokens.isPending ? (
          <SkeletonRows columns={7} rows={4} label="Loading refresh tokens" />
        ) : (
          <tbody>
            {shown.map((token) => {
              const revoking = isRevoking(token.id);
              const isOpen = expanded === token.id;
              return (
                <Fragment key={token.id}>
                  <tr aria-busy={revoking}>
                    <th scope="row">{token.client_name}</th>
                    <td>{token.device_name ?? <span className="muted">{token.device.initial_agent ?? 'Unknown agent'}</span>}</td>
                    <td><RelativeTime value={token.created_at} /></td>
                    <td><RelativeTime value={token.last_exchanged_at} fallback="Never" /></td>
                    <td><RelativeTime value={earliest(token.expires_at, token.idle_expires_at)} fallback="Never" /></td>
                    <td>
                      {revoking ? <Badge tone="warn">Revoking…</Badge> : <Badge tone="good">{token.rotating ? 'Live · rotating' : 'Live'}</Badge>}{' '}
                      {token.signals.length ? <Badge tone="danger">Used elsewhere</Badge> : null}
                    </td>
                    <td className="actions">
                      <Button variant="ghost" aria-expanded={isOpen} aria-controls={`token-${token.id}`} onClick={() => setExpanded(isOpen ? null : token.id)}>
                        Details<span className="visually-hidden"> of {token.client_name} on {token.device_name ?? 'this device'}</span>
                      </Button>
                      {canRevoke ? (
                        <Button
                          variant="danger"
                          disabled={revoking}
                          aria-label={`Revoke ${token.client_name} token on ${token.device_name ?? 'unnamed device'}`}
                          onClick={() => open({ action: 'refresh_token.revoke', token_id: token.id }, { title: 'Revoke this refresh token?', confirmLabel: 'Revoke' })}
                        >
                          Revoke
                        </Button>
                      ) : null}
                    </td>
                  </tr>
                  {isOpen ? (
                    <tr className="details-row">
                      <td colSpan={7} id={`token-${token.id}`}>
                        <TokenDetails token={token} />
                      </td>
                    </tr>
                  ) : null}
                </Fragment>
              );
            })}
          </tbody>
        )}
      </table>
      {tokens.data && all.length === 0 ? <EmptyState title="No refresh tokens">This user has no live refresh tokens.</EmptyState> : null}
      {tokens.data && all.length > 0 && visible.length === 0 ? <EmptyState title="No match">No refresh token matches these filters.</EmptyState> : null}
      {pageCount > 1 ? (
        <nav className="pager" aria-label="Refresh token pages">
          <Button onClick={() => update({ page: String(page - 1) })} disabled={page === 0}>
            Previous
          </Button>
          <span>
            Page {page + 1} of {pageCount}
          </span>
          <Button onClick={() => update({ page: String(page + 1) })} disabled={page + 1 >= pageCount}>
            Next
          </Button>
        </nav>
      ) : null}
      {dialog}
    </section>
  );
}

const earliest = (a: string | null, b: string | null) => (a && b ? (a < b ? a : b) : (a ?? b));

function TokenDetails({ token }: { token: RefreshToken }) {
  const d = token.device;
  const rows: [string, React.ReactNode][] = [
    ['Token id', <code>{token.id}</code>],
    ['Application', `${token.client_name} (${token.client_id})`],
    ['Device name', token.device_name ?? '—'],
    ['Rotating', token.rotating ? 'Yes: each exchange returns a new token' : 'No'],
    ['Session', token.session_id ? <code>{token.session_id}</code> : 'None (issued without a session)'],
    ['Created', <RelativeTime value={token.created_at} />],
    ['Last exchanged', <RelativeTime value={token.last_exchanged_at} fallback="Never" />],
    ['Idle expiry', <RelativeTime value={token.idle_expires_at} fallback="Never" />],
    ['Absolute expiry', <RelativeTime value={token.expires_at} fallback="Never" />],
    ['Initial IP', `${ipWithPlace(d.initial_ip, d.initial_place)}${!d.initial_place && d.initial_asn ? ` (${d.initial_asn})` : ''}`],
    ['Initial user agent', d.initial_user_agent ? <>{d.initial_agent} <code className="raw-agent">{d.initial_user_agent}</code></> : '—'],
    ['Last IP', `${ipWithPlace(d.last_ip, d.last_place)}${!d.last_place && d.last_asn ? ` (${d.last_asn})` : ''}`],
    ['Last user agent', d.last_user_agent ? <>{d.last_agent} <code className="raw-agent">{d.last_user_agent}</code></> : '—'],
    ['Signals', token.signals.length ? token.signals.join(' ') : 'None: last used as issued'],
    ['APIs and scopes', token.resource_servers.map((rs) => `${rs.api_name}: ${rs.scopes.join(' ')}`).join('; ') || '—'],
    ['Metadata', Object.keys(token.metadata).length ? <code>{JSON.stringify(token.metadata)}</code> : '—'],
  ];
  return <DetailsList rows={rows} />;
}
