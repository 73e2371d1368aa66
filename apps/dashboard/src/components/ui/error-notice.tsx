import { ApiError } from '../../lib/api-client';
import { Button } from './button';

/** An error shown where the action was taken, with what to do about it. */
export function ErrorNotice({
  error,
  onRetry,
  title = 'Something went wrong',
}: {
  error: unknown;
  onRetry?: () => void;
  title?: string;
}) {
  const message = error instanceof Error ? error.message : 'Unexpected error.';
  const requestId = error instanceof ApiError ? error.requestId : undefined;
  return (
    <div className="error-notice" role="alert">
      <p>
        <strong>{title}.</strong> {message}
      </p>
      {requestId ? <p className="muted small">Request id: {requestId}</p> : null}
      {onRetry ? (
        <Button variant="secondary" onClick={onRetry}>
          Retry
        </Button>
      ) : null}
    </div>
  );
}
