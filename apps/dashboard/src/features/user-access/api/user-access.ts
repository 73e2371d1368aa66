import type {
  ActionResult,
  AuthorizedAppList,
  DeviceList,
  ExpectedImpact,
  Impact,
  ImpactRequest,
  RefreshTokenList,
  RefreshTokenPage,
  SecurityEventList,
  SessionList,
} from '@rtc/contracts';
import { queryOptions, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../../../lib/api-client';
import { queryKeys } from '../../../lib/query-keys';

const base = (userId: string) => `/api/users/${encodeURIComponent(userId)}`;

/** While something of this user is being revoked, its tab polls until the listing agrees. */
const POLL_MS = 1000;
type Poll = () => number | false;

export const devicesQuery = (userId: string, poll?: Poll) =>
  queryOptions({
    queryKey: queryKeys.users.devices(userId),
    queryFn: ({ signal }) => api<DeviceList>(`${base(userId)}/devices`, { signal }),
    refetchInterval: poll,
  });
export const authorizedAppsQuery = (userId: string, poll?: Poll) =>
  queryOptions({
    queryKey: queryKeys.users.authorizedApps(userId),
    queryFn: ({ signal }) => api<AuthorizedAppList>(`${base(userId)}/authorized-apps`, { signal }),
    refetchInterval: poll,
  });
export const refreshTokensQuery = (userId: string, poll?: Poll) =>
  queryOptions({
    queryKey: queryKeys.users.refreshTokens(userId),
    queryFn: ({ signal }) => api<RefreshTokenList>(`${base(userId)}/refresh-tokens`, { signal }),
    refetchInterval: poll,
  });
/** One page of the user's tokens as the tenant pages them (`from`: the previous page's `next`). */
export const refreshTokenPageQuery = (
  userId: string,
  page: { take: number; from?: string; clientId?: string },
  poll?: Poll,
) =>
  queryOptions({
    queryKey: queryKeys.users.refreshTokenPage(userId, page),
    queryFn: ({ signal }) => {
      const params = new URLSearchParams({
        take: String(page.take),
        ...(page.from ? { from: page.from } : {}),
        ...(page.clientId ? { client_id: page.clientId } : {}),
      });
      return api<RefreshTokenPage>(`${base(userId)}/refresh-tokens/page?${params}`, { signal });
    },
    refetchInterval: poll,
    // Next/Previous keep the page shown until the other arrives, rather than a skeleton; never
    // across users or applications, whose rows would pass for the new ones meanwhile.
    placeholderData: (previous, previousQuery) => {
      const [, , previousUser, , , previousPage] = (previousQuery?.queryKey ?? []) as readonly unknown[];
      return previousUser === userId && (previousPage as { clientId?: string } | undefined)?.clientId === page.clientId
        ? previous
        : undefined;
    },
  });
export const sessionsQuery = (userId: string, poll?: Poll) =>
  queryOptions({
    queryKey: queryKeys.users.sessions(userId),
    queryFn: ({ signal }) => api<SessionList>(`${base(userId)}/sessions`, { signal }),
    refetchInterval: poll,
  });
export const securityEventsQuery = (userId: string) =>
  queryOptions({
    queryKey: queryKeys.users.securityEvents(userId),
    queryFn: ({ signal }) => api<SecurityEventList>(`${base(userId)}/security-events`, { signal }),
  });

export const pollWhile =
  (pending: boolean): Poll =>
  () =>
    pending ? POLL_MS : false;

/** The impact preview of an action, fetched when its dialog opens. */
export function useImpact(userId: string, request: ImpactRequest | null) {
  return useQuery({
    queryKey: request ? queryKeys.users.impact(userId, request) : ['impact-none'],
    queryFn: ({ signal }) => api<Impact>(`${base(userId)}/impact`, { method: 'POST', body: request, signal }),
    enabled: request !== null,
    staleTime: 0,
    gcTime: 0,
    retry: false,
  });
}

/** What the person saw and confirmed, sent with the action: the BFF runs it only if nothing differs. */
export function expectedOf(impact: Impact): ExpectedImpact {
  return {
    token_ids: impact.tokens.map((t) => t.id),
    grant_ids: impact.grants.map((g) => g.grant_id),
    session_ids: impact.sessions.map((s) => s.session_id),
    setting_deletes_grant: impact.setting_deletes_grant,
  };
}

function execute(userId: string, request: ImpactRequest, expected: ExpectedImpact): Promise<ActionResult> {
  switch (request.action) {
    case 'device.unlink':
      return api(`${base(userId)}/devices/unlink`, {
        method: 'POST',
        body: { device_name: request.device_name, expected },
      });
    case 'device.lost':
      return api(`${base(userId)}/devices/lost`, {
        method: 'POST',
        body: { device_name: request.device_name, expected },
      });
    case 'grant.revoke':
      return api(`${base(userId)}/authorized-apps/${encodeURIComponent(request.grant_id)}`, {
        method: 'DELETE',
        body: { expected },
      });
    case 'refresh_token.revoke':
      return api(`${base(userId)}/refresh-tokens/${encodeURIComponent(request.token_id)}`, {
        method: 'DELETE',
        body: { expected },
      });
    case 'refresh_tokens.revoke_all': {
      const { action: _action, ...filters } = request;
      return api(`${base(userId)}/refresh-tokens/revoke-all`, { method: 'POST', body: { ...filters, expected } });
    }
    case 'session.revoke':
      return api(`${base(userId)}/sessions/${encodeURIComponent(request.session_id)}`, {
        method: 'DELETE',
        body: { expected },
      });
  }
}

/** Runs a destructive action on the preview confirmed; every tab of the user is refetched afterwards. */
export function useUserAction(userId: string, onRevoked: (request: ImpactRequest, result: ActionResult) => void) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ request, impact }: { request: ImpactRequest; impact: Impact }) =>
      execute(userId, request, expectedOf(impact)),
    onSuccess: (result, { request }) => onRevoked(request, result),
    onSettled: () =>
      Promise.all([
        queryClient.invalidateQueries({ queryKey: queryKeys.users.detail(userId) }),
        queryClient.invalidateQueries({ queryKey: ['audit'] }),
      ]),
  });
}
