import { isRouteErrorResponse, useRouteError } from 'react-router';
import { ErrorNotice } from '../../components/ui/error-notice';

export function RouteError() {
  const error = useRouteError();
  return (
    <main className="page">
      <ErrorNotice
        error={isRouteErrorResponse(error) ? new Error(`${error.status} ${error.statusText}`) : error}
        title="This page failed"
        onRetry={() => window.location.reload()}
      />
    </main>
  );
}
