import type { ContainResult, SessionCounts, TokenCounts } from '@rtc/contracts';
import { searchRevokePermission, WIDE_SEARCH_REVOKE_REASON } from '@rtc/contracts/roles';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { Button } from '../../../components/ui/button';
import { countOf } from '../../../lib/summarise';
import { useCan } from '../../auth/api/get-me';
import { containImpactQuery, sessionSearchQuery, tokenSearchQuery, useContain } from '../api/search';
import { sessionCountWords, tokenCountWords } from '../lib/counts';
import { describeFilter, filterForApi, SESSION_FILTER_KEYS, type SearchFilter } from '../lib/filters';
import { BindingDialog, onConflictOf, ResultSummary } from './binding-dialog';

const tokenWords = (c: TokenCounts) =>
  `${countOf(c.tokens, 'refresh token')} of ${countOf(c.users, 'user')} on ${countOf(c.devices, 'device')}`;
const sessionWords = (c: SessionCounts) => `${countOf(c.sessions, 'session')} of ${countOf(c.users, 'user')}`;

/**
 * The filter the incident view contains, or null: an address, a network or an AS number, with
 * at most the conditions a session has too (an agent, a time), so that the tokens and the
 * sessions it finds are those of the same place.
 */
export function containableFilter(filter: SearchFilter): SearchFilter | null {
  if (!filter.ip && !filter.asn) return null;
  return Object.keys(filter).every((key) => (SESSION_FILTER_KEYS as readonly string[]).includes(key)) ? filter : null;
}

/** "this address", "this network", "AS64500": what is contained, in the heading. */
function placeOf(filter: SearchFilter): string {
  if (filter.ip) return filter.ip.includes('/') ? 'this network' : 'this address';
  return `network ${filter.asn!.toUpperCase().startsWith('AS') ? filter.asn!.toUpperCase() : `AS${filter.asn}`}`;
}

/** What the containment did, exactly: each kind said, none left out. */
export function containedWords(result: ContainResult): string {
  const parts = [
    result.revoked.tokens ? `revoked ${tokenWords(result.revoked)}` : 'found no refresh token to revoke',
    result.ended.sessions
      ? `ended ${sessionWords(result.ended)}, with the refresh tokens issued in them`
      : 'found no session to end',
  ];
  const sentence = `${parts.join(' and ')}.`;
  return `${sentence.charAt(0).toUpperCase()}${sentence.slice(1)} They are refused from now on.`;
}

/**
 * The incident view of an address, a network or an AS number: the refresh tokens
 * and the sessions the search finds, counted side by side, and one containment that revokes
 * the tokens and ends the sessions together, bound to its preview. Revoking the tokens alone
 * would leave the sessions signed in.
 */
export function IncidentPanel({
  filter,
  applicationName,
}: {
  filter: SearchFilter;
  applicationName: (id: string) => string;
}) {
  // The first pages the tabs show too (the same query keys): counted once, by the tenant.
  const tokens = useQuery(tokenSearchQuery(filter, undefined));
  const sessions = useQuery(sessionSearchQuery(filter, undefined));
  const mayContain = useCan(searchRevokePermission(filterForApi(filter)));
  const [open, setOpen] = useState(false);
  const [done, setDone] = useState<ContainResult | null>(null);
  const t = tokens.data?.totals ?? null;
  const s = sessions.data?.totals ?? null;
  if (tokens.data?.unavailable || sessions.data?.unavailable) return null;
  const found = (t?.tokens ?? 0) + (s?.sessions ?? 0) > 0;
  const place = placeOf(filter);

  return (
    <section className="incident" aria-labelledby="incident-heading">
      <div className="section-head">
        <h2 id="incident-heading" className="section-title">
          Contain {place}
        </h2>
        {t && s && found ? (
          <Button
            variant="danger"
            onClick={() => setOpen(true)}
            disabled={!mayContain}
            aria-describedby={mayContain ? undefined : 'contain-reason'}
          >
            {`Contain: revoke ${t.limited ? 'every token' : countOf(t.tokens, 'token')} ` +
              `and end ${s.limited ? 'every session' : countOf(s.sessions, 'session')}`}
          </Button>
        ) : null}
      </div>
      <p data-testid="incident-counts" aria-live="polite">
        {t && s
          ? `Found ${tokenCountWords(t)} and ${sessionCountWords(s)}.`
          : 'Counting the refresh tokens and sessions…'}
      </p>
      {found ? (
        <p className="muted small">
          Revoking the tokens alone leaves the sessions signed in; ending the sessions alone leaves the tokens issued
          outside them. Contain does both at once.
        </p>
      ) : null}
      {found && !mayContain ? (
        <p className="muted small" id="contain-reason">
          {WIDE_SEARCH_REVOKE_REASON}
        </p>
      ) : null}
      <ResultSummary
        done={done && { sentence: containedWords(done), action: 'search.contain', auditId: done.audit_id }}
        onDismiss={() => setDone(null)}
      />
      {open ? (
        <ContainDialog
          filter={filter}
          place={place}
          applicationName={applicationName}
          onClose={() => setOpen(false)}
          onDone={(result) => {
            setOpen(false);
            setDone(result);
          }}
        />
      ) : null}
    </section>
  );
}

/** The containment's binding dialog: both counts, the users reached, REVOKE typed in. */
function ContainDialog({
  filter,
  place,
  applicationName,
  onClose,
  onDone,
}: {
  filter: SearchFilter;
  place: string;
  applicationName: (id: string) => string;
  onClose: () => void;
  onDone: (result: ContainResult) => void;
}) {
  const impact = useQuery(containImpactQuery(filter));
  const contain = useContain();
  return (
    <BindingDialog
      title={`Contain ${place}: revoke its tokens and end its sessions`}
      confirmLabel="Revoke and end"
      noun="tokens and sessions"
      impact={impact}
      count={(p) => p.tokens.tokens + p.sessions.sessions}
      describe={(p) => (
        <>
          This revokes <strong>{tokenWords(p.tokens)}</strong> and ends <strong>{sessionWords(p.sessions)}</strong>{' '}
          (with every refresh token issued in them), every one matching {describeFilter(filter, applicationName)}, at
          once. {countOf(p.users, 'user')} must sign in again on those devices.
        </>
      )}
      overLimit={(p) =>
        `This search finds more than the console contains at once ` +
        `(${tokenCountWords(p.tokens)}; ${sessionCountWords(p.sessions)}). Narrow the search: a smaller range, a time.`
      }
      perUser={(u) => `${countOf(u.tokens, 'token')}, ${countOf(u.sessions, 'session')}`}
      usersTotal={(p) => p.users}
      loadingLabel="Finding every token and session this search matches"
      isPending={contain.isPending}
      error={contain.error}
      onClose={onClose}
      onConfirm={(p, onConflict) =>
        contain.mutate(
          { filter, expected: { tokens: p.tokens.tokens, sessions: p.sessions.sessions, digest: p.digest } },
          { onSuccess: onDone, onError: onConflictOf(onConflict) },
        )
      }
    />
  );
}
