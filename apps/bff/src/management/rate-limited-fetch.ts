/**
 * A fetch that waits out the Management API's 429s: it honours `Retry-After`, else
 * `x-ratelimit-reset` (epoch seconds), else backs off exponentially, up to `retries` times
 * and never longer than `maxWaitMs` per wait (a support person is waiting on the answer).
 */
export function rateLimitedFetch(options: {
  retries: number;
  maxWaitMs: number;
  fetch?: typeof fetch;
  onRetry?: (info: { attempt: number; waitMs: number; url: string }) => void;
  sleep?: (ms: number) => Promise<void>;
}): typeof fetch {
  const doFetch = options.fetch ?? fetch;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  return async (input, init) => {
    // Bodies are strings or absent in the SDK's requests, so a request can be sent again.
    for (let attempt = 0; ; attempt++) {
      const res = await doFetch(input, init);
      if (res.status !== 429 || attempt >= options.retries) return res;
      const waitMs = Math.min(waitFor(res, attempt), options.maxWaitMs);
      await res.body?.cancel();
      options.onRetry?.({ attempt: attempt + 1, waitMs, url: String(input instanceof Request ? input.url : input) });
      await sleep(waitMs);
    }
  };
}

export function waitFor(res: Response, attempt: number, now = Date.now()): number {
  const retryAfter = res.headers.get('retry-after');
  if (retryAfter) {
    const seconds = Number(retryAfter);
    if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
    const date = Date.parse(retryAfter);
    if (!Number.isNaN(date)) return Math.max(0, date - now);
  }
  const reset = Number(res.headers.get('x-ratelimit-reset'));
  if (Number.isFinite(reset) && reset > 0) return Math.max(0, reset * 1000 - now);
  return 250 * 2 ** attempt;
}
