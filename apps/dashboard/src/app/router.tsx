import { createBrowserRouter, Navigate, type RouteObject } from 'react-router';
import { paths } from '../config/paths';
import { RequireSession } from '../features/auth/components/require-session';
import { AppShell } from './layout/app-shell';
import { RouteError } from './routes/route-error';

/** Routes are code-split: each page's code loads when it is first visited. */
export const routes: RouteObject[] = [
  {
    element: (
      <RequireSession>
        <AppShell />
      </RequireSession>
    ),
    errorElement: <RouteError />,
    children: [
      { index: true, element: <Navigate to={paths.users()} replace /> },
      {
        path: 'users',
        lazy: async () => ({ Component: (await import('../features/users/components/users-page')).UsersPage }),
      },
      {
        path: 'users/:userId',
        lazy: async () => ({ Component: (await import('./routes/user-layout')).UserLayout }),
        children: [
          { index: true, lazy: async () => ({ Component: (await import('./routes/user-tabs')).DetailsRoute }) },
          { path: 'devices', lazy: async () => ({ Component: (await import('./routes/user-tabs')).DevicesRoute }) },
          {
            path: 'authorized-applications',
            lazy: async () => ({ Component: (await import('./routes/user-tabs')).AuthorizedAppsRoute }),
          },
          {
            path: 'refresh-tokens',
            lazy: async () => ({ Component: (await import('./routes/user-tabs')).RefreshTokensRoute }),
          },
          { path: 'sessions', lazy: async () => ({ Component: (await import('./routes/user-tabs')).SessionsRoute }) },
          { path: 'locations', lazy: async () => ({ Component: (await import('./routes/user-tabs')).LocationsRoute }) },
          { path: 'history', lazy: async () => ({ Component: (await import('./routes/user-tabs')).HistoryRoute }) },
        ],
      },
      { path: 'settings', element: <Navigate to={paths.settings} replace /> },
      {
        path: 'settings/advanced',
        lazy: async () => ({ Component: (await import('../features/settings/components/settings-page')).SettingsPage }),
      },
      {
        path: 'applications',
        lazy: async () => ({
          Component: (await import('../features/applications/components/applications-page')).ApplicationsPage,
        }),
      },
      {
        path: 'search',
        lazy: async () => ({ Component: (await import('../features/search/components/search-page')).SearchPage }),
        children: [
          {
            index: true,
            lazy: async () => ({ Component: (await import('../features/search/components/search-page')).SearchIndex }),
          },
          {
            path: 'refresh-tokens',
            lazy: async () => ({
              Component: (await import('../features/search/components/token-results')).TokenResults,
            }),
          },
          {
            path: 'sessions',
            lazy: async () => ({
              Component: (await import('../features/search/components/session-results')).SessionResults,
            }),
          },
        ],
      },
      {
        path: 'audit',
        lazy: async () => ({ Component: (await import('../features/audit/components/audit-page')).AuditPage }),
      },
      { path: '*', lazy: async () => ({ Component: (await import('./routes/not-found')).NotFound }) },
    ],
  },
];

export const createRouter = () => createBrowserRouter(routes);
