import type { ApiError as ApiErrorBody, Impact } from '@rtc/contracts';
import {
  type BodyOf,
  type Endpoint,
  type PathParams,
  type QueryOf,
  type ResponseOf,
  urlOf,
} from '@rtc/contracts/endpoints';

/** An error from the BFF, with its code, a sentence to show, and the request id to quote. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly requestId?: string,
    readonly retryAfter?: number,
    /** 409 impact_changed: the new preview, and how it differs from the one confirmed. */
    readonly changed?: { impact: Impact; changes: string[] },
    /** 400: which fields were wrong, in words, to show beside them. */
    readonly fields?: Record<string, string>,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

let csrfToken: string | undefined;
/** Set from /api/me; sent with every state-changing request. */
export const setCsrfToken = (token: string | undefined) => {
  csrfToken = token;
};

/** `Option` when the route has `T`; else the option may not be given. */
type WhenPresent<T, Option> = [T] extends [never] ? { [K in keyof Option]?: never } : Option;

/** What a call of `endpoint` needs: its path's values, its query, its body; each only where the route has one. */
export type RequestOptions<E extends Endpoint> = WhenPresent<
  keyof PathParams<E['path']>,
  { params: PathParams<E['path']> }
> &
  WhenPresent<QueryOf<E>, { query?: QueryOf<E> }> &
  WhenPresent<BodyOf<E>, { body: BodyOf<E> }> & { signal?: AbortSignal };

/** A route without path values, query or body may be called with no options at all. */
type OptionsArg<E extends Endpoint> =
  Record<never, never> extends RequestOptions<E> ? [options?: RequestOptions<E>] : [options: RequestOptions<E>];

/** The options as the fetch below reads them, once the types above have checked them. */
type Checked = {
  params?: Record<string, string>;
  query?: Record<string, string | number | undefined>;
  body?: unknown;
  signal?: AbortSignal;
};

/** The address of a route, for a link rather than a call (a download). */
export function hrefOf<E extends Endpoint>(endpoint: E, ...[options]: OptionsArg<E>): string {
  const checked = options as Checked | undefined;
  return urlOf(endpoint.path, checked?.params, checked?.query);
}

/**
 * Calls a route of the BFF from its contract (`endpoints.user`, `{ params: { userId } }`) and
 * answers its JSON, typed by the same contract the BFF answers with.
 */
export function request<E extends Endpoint>(endpoint: E, ...[options]: OptionsArg<E>): Promise<ResponseOf<E>> {
  const checked = options as Checked | undefined;
  return api<ResponseOf<E>>(urlOf(endpoint.path, checked?.params, checked?.query), {
    method: endpoint.method,
    ...(checked?.body !== undefined ? { body: checked.body } : {}),
    ...(checked?.signal ? { signal: checked.signal } : {}),
  });
}

/** JSON over fetch to the BFF (same origin, cookies included). */
async function api<T>(path: string, init: { method?: string; body?: unknown; signal?: AbortSignal } = {}): Promise<T> {
  const method = init.method ?? 'GET';
  const headers: Record<string, string> = { accept: 'application/json' };
  if (init.body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET' && csrfToken) headers['x-csrf-token'] = csrfToken;
  let res: Response;
  try {
    res = await fetch(path, {
      method,
      headers,
      credentials: 'same-origin',
      ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
      ...(init.signal ? { signal: init.signal } : {}),
    });
  } catch (err) {
    if ((err as Error).name === 'AbortError') throw err;
    throw new ApiError(0, 'network', 'The console cannot reach its server. Check your connection and retry.');
  }
  if (res.ok) return (await res.json()) as T;
  const body = (await res.json().catch(() => undefined)) as ApiErrorBody | undefined;
  throw new ApiError(
    res.status,
    body?.error.code ?? 'http_error',
    body?.error.message ?? `The server answered ${res.status}.`,
    body?.error.request_id,
    body?.error.retry_after,
    body?.error.impact ? { impact: body.error.impact, changes: body.error.changes ?? [] } : undefined,
    body?.error.fields,
  );
}
