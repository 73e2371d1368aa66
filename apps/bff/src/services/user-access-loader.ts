import { BffError, notFound } from '../errors.ts';
import type { ManagementGateway } from '../management/gateway.ts';
import { deviceNamesByTokenId, toRefreshToken, toSession } from '../domain/user-view.ts';

/** The lists one request reads of a user. */
export interface Needs {
  user?: boolean;
  tokens?: boolean;
  credentials?: boolean;
  grants?: boolean | 'if-setting';
  sessions?: boolean;
  logs?: boolean;
  settings?: boolean;
}

/** What one request read of a user, joined into the console's views. */
export type UserAccessData = Awaited<ReturnType<typeof loadUserAccess>>;

export const noSuchUser = (err: { code?: string }): never => {
  throw err?.code === 'not_found' ? notFound('There is no such user in this tenant.') : err;
};

/**
 * A screen's list failed: the error names the list the screen asked for (the Sessions tab's
 * "list the user's sessions"), not whichever of the calls behind it failed (the tokens it
 * counts per session), which would send the support person looking at the wrong tab.
 */
export async function forScreen<T>(asked: string, loading: Promise<T>): Promise<T> {
  try {
    return await loading;
  } catch (err) {
    const task = err instanceof BffError ? err.extra.task : undefined;
    if (!(err instanceof BffError) || !task || task === asked) throw err;
    throw new BffError(err.status, err.code, err.message.replace(task, asked), { ...err.extra, task: asked });
  }
}

/**
 * What one request needs of the user, each list loaded once and in parallel: the routes ask
 * for what their screen shows and nothing more. Grants 'if-setting' are loaded only when
 * "Refresh Token Revocation Deletes Grant" is on (the only case a device action touches
 * them). An unknown user has none of these lists: only when all come back empty is the user
 * read, to answer 404 rather than an empty screen.
 */
export async function loadUserAccess(mgmt: ManagementGateway, userId: string, needs: Needs) {
  const settings = needs.settings ? mgmt.getSettings() : Promise.resolve(undefined);
  const deletesGrant = (s: Awaited<typeof settings>) => s?.flags?.revoke_refresh_token_grant ?? false;
  const [user, names, { tokens, truncated }, credentials, grants, sessions, logs, settingsRead] = await Promise.all([
    needs.user ? mgmt.getUser(userId) : Promise.resolve(undefined),
    mgmt.names(),
    needs.tokens ? mgmt.listUserTokens(userId) : Promise.resolve({ tokens: [], truncated: false }),
    needs.credentials ? mgmt.listDeviceCredentials(userId) : Promise.resolve([]),
    needs.grants === true
      ? mgmt.listGrants(userId)
      : needs.grants === 'if-setting'
        ? settings.then((s) => (deletesGrant(s) ? mgmt.listGrants(userId) : []))
        : Promise.resolve([]),
    needs.sessions ? mgmt.listSessions(userId) : Promise.resolve([]),
    needs.logs ? mgmt.userLogs(userId) : Promise.resolve([]),
    settings,
  ]).catch(noSuchUser);
  if (!user && [tokens, credentials, grants, sessions, logs].every((list) => list.length === 0))
    await mgmt.getUser(userId).catch(noSuchUser);
  const deviceNames = deviceNamesByTokenId(credentials);
  const views = tokens.map((t) => toRefreshToken(t, deviceNames, names));
  return {
    user,
    userEmail: typeof user?.email === 'string' ? user.email : null,
    names,
    credentials,
    grants,
    logs,
    // Newest first: the session a support person is asked about is usually the latest.
    sessions: sessions
      .map((s) => toSession(s, views, names))
      .sort((a, b) => (b.created_at ?? '').localeCompare(a.created_at ?? '')),
    truncated,
    settingDeletesGrant: deletesGrant(settingsRead),
    tokens: views,
  };
}
