import type { z } from 'zod';

/**
 * One route of the BFF as both sides see it: its method and path template, and (as types only)
 * what it takes and answers. The BFF mounts its handler at `method` and `path`; the dashboard
 * calls it through the same object, so a renamed route or field breaks the build of both.
 * No zod at run time here: the dashboard loads this module.
 */

export type Method = 'GET' | 'POST' | 'PATCH' | 'DELETE';

/** Bare, `Endpoint` is any endpoint; the table's own have `never` where a route takes no body or query. */
export interface Endpoint<
  M extends Method = Method,
  P extends string = string,
  Response = unknown,
  Body = unknown,
  Query = unknown,
> {
  readonly method: M;
  /** Hono's template: `/api/users/:userId/refresh-tokens`. */
  readonly path: P;
  /** Types only, never set: what the route takes and answers. */
  readonly types?: { response: Response; body: Body; query: Query };
}

type Types<E extends Endpoint> = NonNullable<E['types']>;
export type ResponseOf<E extends Endpoint> = Types<E>['response'];
export type BodyOf<E extends Endpoint> = Types<E>['body'];
export type QueryOf<E extends Endpoint> = Types<E>['query'];

/** `/api/users/:userId/sessions/:sessionId` -> `{ userId: string; sessionId: string }`. */
export type PathParams<P extends string> = P extends `${string}:${infer Name}/${infer Rest}`
  ? { [K in Name]: string } & PathParams<`/${Rest}`>
  : P extends `${string}:${infer Name}`
    ? { [K in Name]: string }
    : Record<never, never>;

/**
 * A query string or search filter as a client sends it: the names of the schema the BFF
 * validates it with, the values as typed (the BFF judges them, and answers 400 naming a field).
 */
export type QueryParams<S extends z.ZodType> = { [K in keyof z.input<S>]?: string | number };
export type FilterFields<S extends z.ZodType> = { [K in keyof z.input<S>]?: string };

/** A response the browser downloads (a link), never read as JSON. */
export type Download = { readonly download: string };

interface Pending<M extends Method, P extends string, Body, Query> {
  /** The JSON body the route validates. */
  takes<B>(): Pending<M, P, B, Query>;
  /** The query string the route validates. */
  query<Q>(): Pending<M, P, Body, Q>;
  /** The JSON the route answers with (2xx). */
  answers<R>(): Endpoint<M, P, R, Body, Query>;
}

function pending<M extends Method, P extends string, Body, Query>(method: M, path: P): Pending<M, P, Body, Query> {
  return {
    takes: <B>() => pending<M, P, B, Query>(method, path),
    query: <Q>() => pending<M, P, Body, Q>(method, path),
    answers: <R>(): Endpoint<M, P, R, Body, Query> => ({ method, path }),
  };
}

const at =
  <M extends Method>(method: M) =>
  <P extends string>(path: P) =>
    pending<M, P, never, never>(method, path);

export const get = at('GET');
export const post = at('POST');
export const patch = at('PATCH');
export const del = at('DELETE');

type QueryValue = string | number | undefined;

/**
 * The URL of a call: each `:name` replaced by its value, encoded (ids such as `auth0|abc` hold
 * characters a path cannot), then the query in the order given; an absent or empty value is
 * no parameter, as an empty filter field is no filter.
 */
export function urlOf(path: string, params?: Record<string, string>, query?: Record<string, QueryValue>): string {
  const filled = path.replace(/:([A-Za-z]+)/g, (_, name: string) => {
    const value = params?.[name];
    if (value === undefined) throw new Error(`${path}: no value for :${name}`);
    return encodeURIComponent(value);
  });
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(query ?? {}))
    if (value !== undefined && value !== '') search.set(key, String(value));
  const text = search.toString();
  return text ? `${filled}?${text}` : filled;
}
