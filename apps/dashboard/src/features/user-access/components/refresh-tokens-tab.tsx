import type { RefreshTokenPage } from '@rtc/contracts';
import { useQuery } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { refreshTokenPageQuery, refreshTokensQuery } from '../api/user-access';
import { useRevocableList } from '../lib/use-revocable-list';
import { useActionDialog } from './action-dialog';
import { LoadedTokenTable } from './refresh-tokens/loaded-token-table';
import { ServerPagedTokens } from './refresh-tokens/server-paged-tokens';
import { type Actions, SERVER_PAGE } from './refresh-tokens/table-parts';

const idsOfPage = (data: RefreshTokenPage) => data.tokens.map((t) => t.id);

/**
 * Everything the Management API knows of each refresh token; revoke one, or all. The first
 * page decides how: when it holds every token (at most SERVER_PAGE), the table sorts and
 * filters them here; otherwise it pages on the server, as the tenant does, until the person
 * asks to load every token (up to the console's cap) to sort and filter them.
 */
export function RefreshTokensTab({ userId }: { userId: string }) {
  const [everything, setEverything] = useState(false);
  // One dialog and result summary for the tab, whichever table shows: an action can move the
  // user between the two (revoking most tokens), and its result must stay on screen.
  const actions = useActionDialog(userId);
  const first = useQuery(refreshTokenPageQuery(userId, { take: SERVER_PAGE }));
  const table = everything ? (
    <EveryToken userId={userId} actions={actions} />
  ) : first.data?.next ? (
    <ServerPagedTokens userId={userId} actions={actions} onLoadEverything={() => setEverything(true)} />
  ) : (
    <FirstPageIsEverything userId={userId} actions={actions} />
  );
  return (
    <>
      {table}
      {actions.dialog}
    </>
  );
}

function FirstPageIsEverything({ userId, actions }: { userId: string; actions: Actions }) {
  const { query, isRevoking } = useRevocableList(
    userId,
    'token:',
    (id, poll) => refreshTokenPageQuery(id, { take: SERVER_PAGE }, poll),
    idsOfPage,
  );
  const list = useMemo(() => (query.data ? { tokens: query.data.tokens, truncated: false } : undefined), [query.data]);
  return <LoadedTokenTable userId={userId} actions={actions} query={query} list={list} isRevoking={isRevoking} />;
}

function EveryToken({ userId, actions }: { userId: string; actions: Actions }) {
  const { query, isRevoking } = useRevocableList(userId, 'token:', refreshTokensQuery, (data) =>
    data.tokens.map((t) => t.id),
  );
  return <LoadedTokenTable userId={userId} actions={actions} query={query} list={query.data} isRevoking={isRevoking} />;
}
