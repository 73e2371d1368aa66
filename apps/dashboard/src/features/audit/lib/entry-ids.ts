import type { AuditEntry } from '@rtc/contracts';
import { AUDIT_ACTION_LABELS } from '@rtc/contracts/audit';

export type NamedId = { id: string; about: string | null };
export type EntryIds = { tokens: NamedId[]; grants: NamedId[]; sessions: NamedId[] };

const SEGMENTS: [keyof EntryIds, RegExp][] = [
  ['tokens', /^(?:refresh )?token ids: /],
  ['grants', /^grant ids: /],
  ['sessions', /^session ids: /],
];

/** `a (Acme Mobile, device "X"), b (Acme Web)` or `a b c`: each id, with what the entry says of it. */
function idsIn(list: string): NamedId[] {
  if (!list.includes(' ('))
    return list
      .split(/\s+/)
      .filter(Boolean)
      .map((id) => ({ id, about: null }));
  return list
    .split(/\),\s*/)
    .map((item) => {
      const open = item.indexOf(' (');
      return open < 0
        ? { id: item.trim(), about: null }
        : { id: item.slice(0, open).trim(), about: item.slice(open + 2).replace(/\)$/, '') };
    })
    .filter((x) => x.id);
}

/**
 * Every token, grant and session id an entry's detail names, with its application where the
 * detail gives it. The BFF writes them as `; refresh token ids: ...`, `; grant ids: ...` and
 * `; session ids: ...` (the CSV export carries the same words).
 */
export function entryIds(detail: string): EntryIds {
  const ids: EntryIds = { tokens: [], grants: [], sessions: [] };
  for (const segment of detail.split(/;\s+/)) {
    for (const [kind, prefix] of SEGMENTS)
      if (prefix.test(segment)) ids[kind].push(...idsIn(segment.replace(prefix, '')));
  }
  return ids;
}

const count = (n: number, one: string) => `${n} ${one}${n === 1 ? '' : 's'}`;
const utc = (iso: string) =>
  `${new Intl.DateTimeFormat('en-US', { dateStyle: 'long', timeStyle: 'short', timeZone: 'UTC' }).format(new Date(iso))} UTC`;

/** The entry in plain words for the customer: when, what our support team did, how much; no ids or staff names. */
export function customerSummary(entry: AuditEntry): string {
  const { tokens, grants, sessions } = entryIds(entry.detail);
  const apps = [...new Set(tokens.map((t) => t.about?.split(',')[0]?.trim()).filter((a): a is string => !!a))];
  const what = [
    tokens.length
      ? `${count(tokens.length, 'sign-in')} of your apps${apps.length ? ` (${apps.join(', ')})` : ''} were signed out`
      : '',
    grants.length ? `${count(grants.length, 'app authorization')} removed` : '',
    sessions.length ? `${count(sessions.length, 'browser session')} ended` : '',
  ].filter(Boolean);
  const action = AUDIT_ACTION_LABELS[entry.action].toLowerCase();
  return (
    `On ${utc(entry.at)}, our support team acted on your account (${action})${what.length ? `: ${what.join('; ')}` : ''}. ` +
    'To use an app again, sign in to it once more.'
  );
}
