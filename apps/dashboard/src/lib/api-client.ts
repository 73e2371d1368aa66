import type { ApiError as ApiErrorBody, Impact } from '@rtc/contracts';

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

/** JSON over fetch to the BFF (same origin, cookies included). */
export async function api<T>(
  path: string,
  init: { method?: string; body?: unknown; signal?: AbortSignal } = {},
): Promise<T> {
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
