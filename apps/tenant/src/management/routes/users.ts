import { Hono } from 'hono';
import { z } from 'zod';
import type { TenantDeps } from '../../deps.ts';
import { hashPassword } from '../../crypto/secrets.ts';
import { ids } from '../../domain/ids.ts';
import { planRevocation } from '../../domain/revocation-plan.ts';
import { badRequest, invalidQuery, ManagementError, notFound } from '../../errors/management-error.ts';
import type { UserRecord } from '../../domain/model.ts';
import { logApiOperation } from '../api-log.ts';
import { requireScope, requireScopeOrCurrentUser, type ManagementEnv } from '../authorize-request.ts';
import { logBody, refreshTokenBody, sessionBody, userBody } from '../serializers.ts';
import {
  checkpointPaging,
  fieldSelection,
  json,
  offsetPaging,
  pathId,
  query,
  schemas,
  selectFields,
} from '../validation.ts';

const SORTABLE = ['email', 'name', 'created_at', 'last_login', 'user_id'] as const;
/** Auth0's search returns at most the first 1000 results. */
const MAX_RESULTS = 1000;

/**
 * The part of Auth0's Lucene syntax people type into a support tool: plain text (email, name
 * or id), or `field:value` / `field:"value"` on email, name or user_id, with `*` wildcards.
 */
function parseUserQuery(q: string): { q: string; field?: 'email' | 'name' | 'user_id' } {
  const match = /^(email|name|user_id):\s*"?(.*?)"?$/.exec(q.trim());
  if (match) return { q: match[2]!, field: match[1] as 'email' | 'name' | 'user_id' };
  return { q: q.trim() };
}

/** The tenant's one connection: a username-password database, as on a new Auth0 tenant. */
export const DATABASE_CONNECTION = 'Username-Password-Authentication';
/** Auth0's "fair" password policy, the default of a new database connection: at least 8 characters. */
const MIN_PASSWORD_LENGTH = 8;

const metadata = z.record(z.string().min(1).max(255), z.unknown());
const profile = {
  email: z.email().max(255),
  name: z.string().min(1).max(300),
  nickname: z.string().min(1).max(300),
  given_name: z.string().min(1).max(150),
  family_name: z.string().min(1).max(150),
  picture: z.url().max(2000),
  password: z.string().min(1).max(200),
  email_verified: z.boolean(),
  blocked: z.boolean(),
};

const userCreate = z
  .object({
    connection: z.string().min(1).max(128),
    email: profile.email,
    password: profile.password,
    user_id: z
      .string()
      .min(1)
      .max(200)
      .regex(/^[\w.@+-]+$/, 'Must hold only letters, digits and . _ @ + -')
      .optional(),
    name: profile.name.optional(),
    nickname: profile.nickname.optional(),
    given_name: profile.given_name.optional(),
    family_name: profile.family_name.optional(),
    picture: profile.picture.optional(),
    email_verified: profile.email_verified.optional(),
    verify_email: z.boolean().optional(),
    blocked: profile.blocked.optional(),
    app_metadata: metadata.optional(),
    user_metadata: metadata.optional(),
  })
  .strict();

const userPatch = z
  .object({
    connection: z.string().min(1).max(128).optional(),
    client_id: z.string().max(255).optional(),
    email: profile.email.optional(),
    password: profile.password.optional(),
    name: profile.name.optional(),
    nickname: profile.nickname.optional(),
    given_name: profile.given_name.nullable().optional(),
    family_name: profile.family_name.nullable().optional(),
    picture: profile.picture.nullable().optional(),
    email_verified: profile.email_verified.optional(),
    verify_email: z.boolean().optional(),
    blocked: profile.blocked.optional(),
    app_metadata: metadata.optional(),
    user_metadata: metadata.optional(),
  })
  .strict();

function checkConnection(connection: string | undefined): void {
  if (connection !== undefined && connection !== DATABASE_CONNECTION)
    throw badRequest('The connection does not exist.', 'inexistent_connection');
}

async function passwordHashOf(password: string): Promise<string> {
  if ([...password].length < MIN_PASSWORD_LENGTH) throw badRequest('PasswordStrengthError: Password is too weak');
  return hashPassword(password);
}

/** Auth0 merges metadata one level deep on PATCH; a null value removes its key. */
function mergeMetadata(
  current: Record<string, unknown>,
  patch: Record<string, unknown> | undefined,
): Record<string, unknown> {
  if (!patch) return current;
  const merged = { ...current, ...patch };
  for (const [key, value] of Object.entries(patch)) if (value === null) delete merged[key];
  return merged;
}

const userExists = () => new ManagementError(409, 'The user already exists.', 'auth0_idp_error');

/** /api/v2/users and the user-scoped refresh tokens, sessions and logs. */
export function userRoutes(deps: TenantDeps) {
  const { store, clock } = deps;
  const findUser = async (id: string) => {
    const user = await store.directory.getUser(pathId(id, 'user_id'));
    if (!user) throw notFound('The user does not exist.', 'inexistent_user');
    return user;
  };

  return new Hono<ManagementEnv>()
    .get(
      '/',
      requireScope('read:users'),
      query(
        z.object({
          q: z.string().max(500).optional(),
          sort: z
            .string()
            .regex(new RegExp(`^(${SORTABLE.join('|')}):(1|-1)$`), 'Expected field:1 or field:-1')
            .optional(),
          search_engine: z.enum(['v1', 'v2', 'v3']).optional(),
          connection: z.string().max(255).optional(),
          ...offsetPaging,
          ...fieldSelection,
        }),
      ),
      async (c) => {
        const q = c.req.valid('query');
        const page = q.page ?? 0;
        const perPage = q.per_page ?? 50;
        if (page * perPage >= MAX_RESULTS)
          throw invalidQuery(
            'You can only page through the first 1000 records. See https://auth0.com/docs/users/search/v3/view-search-results-by-page#limitation',
          );
        const [field, order] = (q.sort ?? 'created_at:1').split(':') as [(typeof SORTABLE)[number], string];
        const result = await store.directory.searchUsers({
          ...(q.q ? parseUserQuery(q.q) : {}),
          page,
          perPage,
          sort: { field, order: order === '1' ? 1 : -1 },
        });
        const users = result.items.map((u) => selectFields(userBody(u), q.fields, q.include_fields ?? true));
        const total = Math.min(result.total, MAX_RESULTS);
        return c.json(
          (q.include_totals ?? false)
            ? { start: page * perPage, limit: perPage, length: users.length, total, users }
            : users,
        );
      },
    )
    .post('/', requireScope('create:users'), json(userCreate), async (c) => {
      const body = c.req.valid('json');
      checkConnection(body.connection);
      const now = clock.now();
      const local = body.email.split('@')[0]!;
      const user: UserRecord = {
        user_id: body.user_id ? `auth0|${body.user_id}` : ids.user(),
        email: body.email,
        email_verified: body.email_verified ?? false,
        name: body.name ?? body.email,
        nickname: body.nickname ?? local,
        given_name: body.given_name ?? null,
        family_name: body.family_name ?? null,
        picture: body.picture ?? null,
        password_hash: await passwordHashOf(body.password),
        app_metadata: body.app_metadata ?? {},
        user_metadata: body.user_metadata ?? {},
        blocked: body.blocked ?? false,
        created_at: now,
        updated_at: now,
        last_login: null,
        last_ip: null,
        logins_count: 0,
      };
      if (!(await store.directory.createUser(user))) throw userExists();
      deps.logger.info('user created', { caller: c.get('caller'), user_id: user.user_id });
      return c.json(userBody(user), 201);
    })
    .patch('/:id', requireScope('update:users'), json(userPatch), async (c) => {
      const user = await findUser(c.req.param('id'));
      const patch = c.req.valid('json');
      checkConnection(patch.connection);
      const updated: UserRecord = {
        ...user,
        ...(patch.email !== undefined ? { email: patch.email } : {}),
        ...(patch.name !== undefined ? { name: patch.name } : {}),
        ...(patch.nickname !== undefined ? { nickname: patch.nickname } : {}),
        ...(patch.given_name !== undefined ? { given_name: patch.given_name } : {}),
        ...(patch.family_name !== undefined ? { family_name: patch.family_name } : {}),
        ...(patch.picture !== undefined ? { picture: patch.picture } : {}),
        // A new email is unverified unless the caller says otherwise, as in Auth0.
        email_verified:
          patch.email_verified ??
          (patch.email !== undefined && patch.email.toLowerCase() !== user.email.toLowerCase()
            ? false
            : user.email_verified),
        ...(patch.blocked !== undefined ? { blocked: patch.blocked } : {}),
        ...(patch.password !== undefined ? { password_hash: await passwordHashOf(patch.password) } : {}),
        app_metadata: mergeMetadata(user.app_metadata, patch.app_metadata),
        user_metadata: mergeMetadata(user.user_metadata, patch.user_metadata),
        updated_at: clock.now(),
      };
      const outcome = await store.directory.updateUser(updated);
      if (outcome === 'not_found') throw notFound('The user does not exist.', 'inexistent_user');
      if (outcome === 'email_taken')
        throw new ManagementError(409, 'The specified new email already exists', 'email_exists');
      // A blocked user's refresh tokens are refused by every grant from this commit on (auth/grants).
      deps.logger.info('user updated', {
        caller: c.get('caller'),
        user_id: user.user_id,
        fields: Object.keys(patch).filter((k) => k !== 'password'),
      });
      return c.json(userBody(updated));
    })
    .delete('/:id', requireScope('delete:users'), async (c) => {
      const now = clock.now();
      // Journaled with the deletion: the user's tokens are refused at once, the rows marked in the background.
      const deleted = await store.directory.deleteUser(pathId(c.req.param('id'), 'user_id'), {
        id: ids.revocationJob(now),
        now,
      });
      if (deleted) {
        deps.revocations.kick();
        deps.logger.info('user deleted', { caller: c.get('caller'), user_id: deleted.user_id });
      }
      // Auth0 answers 204 whether or not the user existed.
      return c.body(null, 204);
    })
    .get(
      '/:id',
      requireScopeOrCurrentUser('read:users', 'read:current_user'),
      query(z.object(fieldSelection)),
      async (c) => {
        const q = c.req.valid('query');
        return c.json(selectFields(userBody(await findUser(c.req.param('id'))), q.fields, q.include_fields ?? true));
      },
    )
    .get('/:id/refresh-tokens', requireScope('read:refresh_tokens'), query(z.object(checkpointPaging)), async (c) => {
      const userId = pathId(c.req.param('id'), 'user_id');
      const q = c.req.valid('query');
      // The page is empty unless the user exists (one statement); only then is the user looked
      // up, to tell an unknown user (404) from one without tokens.
      const page = await store.refreshTokens.listRefreshTokenSummaries(
        { user_id: userId },
        clock.now(),
        q.from,
        q.take ?? 50,
        {
          userMustExist: true,
        },
      );
      if (page.items.length === 0) await findUser(userId);
      return c.json({ tokens: page.items.map(refreshTokenBody), ...(page.next ? { next: page.next } : {}) });
    })
    .delete('/:id/refresh-tokens', requireScope('delete:refresh_tokens'), async (c) => {
      const user = await findUser(c.req.param('id'));
      // In force once journaled; the rows are marked in the background (Auth0's 'Manage Refresh
      // Tokens with Auth0 Management API' page).
      await store.revocations.applyRevocationPlan(
        planRevocation({ kind: 'user', user_id: user.user_id }, 'user_tokens_revoked', null),
        clock.now(),
      );
      deps.revocations.kick();
      await logApiOperation(deps, c, { description: "Delete a user's refresh tokens", user_id: user.user_id });
      return c.body(null, 202);
    })
    .get('/:id/sessions', requireScope('read:sessions'), query(z.object(checkpointPaging)), async (c) => {
      const user = await findUser(c.req.param('id'));
      const q = c.req.valid('query');
      const page = await store.sessions.listUserSessions(user.user_id, clock.now(), q.from, q.take ?? 50);
      return c.json({ sessions: page.items.map(sessionBody), ...(page.next ? { next: page.next } : {}) });
    })
    .delete('/:id/sessions', requireScope('delete:sessions'), async (c) => {
      const user = await findUser(c.req.param('id'));
      await store.sessions.revokeUserSessions(user.user_id, clock.now());
      await logApiOperation(deps, c, { description: "Delete a user's sessions", user_id: user.user_id });
      return c.body(null, 202);
    })
    .get(
      '/:id/logs',
      // Auth0 asks for read:logs or read:logs_users on this route.
      requireScope('read:logs', 'read:logs_users'),
      query(
        z.object({
          page: schemas.int(0, 1000).optional(),
          per_page: schemas.int(1, 100).optional(),
          include_totals: schemas.bool.optional(),
          sort: z.enum(['date:1', 'date:-1']).optional(),
        }),
      ),
      async (c) => {
        const user = await findUser(c.req.param('id'));
        const q = c.req.valid('query');
        const page = q.page ?? 0;
        const perPage = q.per_page ?? 50;
        // Paged in the store: a user with years of exchanges is read a page at a time.
        const filter = { user_id: user.user_id };
        const events = await store.events.listEvents(filter, perPage, {
          offset: page * perPage,
          oldestFirst: q.sort === 'date:1',
        });
        const logs = events.map(logBody);
        if (!q.include_totals) return c.json(logs);
        return c.json({
          start: page * perPage,
          limit: perPage,
          length: logs.length,
          total: await store.events.countEvents(filter),
          logs,
        });
      },
    );
}
