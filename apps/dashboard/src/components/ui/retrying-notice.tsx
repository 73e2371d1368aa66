/** The part of a TanStack Query result the notice reads. */
interface Attempts {
  fetchStatus: 'fetching' | 'paused' | 'idle';
  failureCount: number;
  failureReason: unknown;
}

/**
 * Said at once when a load failed and is being tried again (the query client retries server
 * and network errors twice, about 3 seconds in all): a skeleton alone for that long looks
 * like a slow page, not a failing one. The error itself replaces this once retries run out.
 */
export function RetryingNotice({ query, what }: { query: Attempts; what: string }) {
  if (query.fetchStatus !== 'fetching' || query.failureCount === 0) return null;
  const reason = query.failureReason instanceof Error ? ` ${query.failureReason.message}` : '';
  return (
    <p className="retrying-notice" role="status">
      <strong>Retrying…</strong> Could not load {what} (
      {query.failureCount === 1 ? 'first attempt' : `${query.failureCount} attempts`} failed).{reason}
    </p>
  );
}
