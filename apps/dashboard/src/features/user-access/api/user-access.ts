import type { ActionResult, ExpectedImpact, Impact, ImpactRequest } from '@rtc/contracts';
import { endpoints } from '@rtc/contracts/endpoints';
import { queryOptions, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { request } from '../../../lib/api-client';
import { queryKeys } from '../../../lib/query-keys';

/** While something of this user is being revoked, its tab polls until the listing agrees. */
const POLL_MS = 1000;
type Poll = () => number | false;

export const devicesQuery = (userId: string, poll?: Poll) =>
  queryOptions({
    queryKey: queryKeys.users.devices(userId),
    queryFn: ({ signal }) => request(endpoints.devices, { params: { userId }, signal }),
    refetchInterval: poll,
  });
export const authorizedAppsQuery = (userId: string, poll?: Poll) =>
  queryOptions({
    queryKey: queryKeys.users.authorizedApps(userId),
    queryFn: ({ signal }) => request(endpoints.authorizedApps, { params: { userId }, signal }),
    refetchInterval: poll,
  });
export const refreshTokensQuery = (userId: string, poll?: Poll) =>
  queryOptions({
    queryKey: queryKeys.users.refreshTokens(userId),
    queryFn: ({ signal }) => request(endpoints.refreshTokens, { params: { userId }, signal }),
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
    queryFn: ({ signal }) =>
      request(endpoints.refreshTokenPage, {
        params: { userId },
        query: { take: page.take, from: page.from, client_id: page.clientId },
        signal,
      }),
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
    queryFn: ({ signal }) => request(endpoints.sessions, { params: { userId }, signal }),
    refetchInterval: poll,
  });
export const securityEventsQuery = (userId: string) =>
  queryOptions({
    queryKey: queryKeys.users.securityEvents(userId),
    queryFn: ({ signal }) => request(endpoints.securityEvents, { params: { userId }, signal }),
  });

export const pollWhile =
  (pending: boolean): Poll =>
  () =>
    pending ? POLL_MS : false;

/** The impact preview of an action, fetched when its dialog opens. */
export function useImpact(userId: string, action: ImpactRequest | null) {
  return useQuery({
    queryKey: action ? queryKeys.users.impact(userId, action) : ['impact-none'],
    // Enabled only with a request: the query never runs without one.
    queryFn: ({ signal }) => request(endpoints.userImpact, { params: { userId }, body: action!, signal }),
    enabled: action !== null,
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

function execute(userId: string, action: ImpactRequest, expected: ExpectedImpact): Promise<ActionResult> {
  switch (action.action) {
    case 'device.unlink':
      return request(endpoints.unlinkDevice, {
        params: { userId },
        body: { device_name: action.device_name, expected },
      });
    case 'device.lost':
      return request(endpoints.deviceLost, { params: { userId }, body: { device_name: action.device_name, expected } });
    case 'grant.revoke':
      return request(endpoints.revokeGrant, { params: { userId, grantId: action.grant_id }, body: { expected } });
    case 'refresh_token.revoke':
      return request(endpoints.revokeRefreshToken, {
        params: { userId, tokenId: action.token_id },
        body: { expected },
      });
    case 'refresh_tokens.revoke_all': {
      const { action: _action, ...filters } = action;
      return request(endpoints.revokeAllRefreshTokens, { params: { userId }, body: { ...filters, expected } });
    }
    case 'session.revoke':
      return request(endpoints.revokeSession, { params: { userId, sessionId: action.session_id }, body: { expected } });
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
