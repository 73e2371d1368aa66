/** Every route of the dashboard, in one place. */
export const paths = {
  home: '/',
  users: (query?: { q?: string; page?: number }) => {
    const search = new URLSearchParams();
    if (query?.q) search.set('q', query.q);
    if (query?.page) search.set('page', String(query.page));
    const qs = search.toString();
    return `/users${qs ? `?${qs}` : ''}`;
  },
  user: (userId: string, tab: UserTab = 'details') =>
    `/users/${encodeURIComponent(userId)}${tab === 'details' ? '' : `/${tab}`}`,
  settings: '/settings/advanced',
  audit: '/audit',
  search: (tab?: 'refresh-tokens' | 'sessions') => `/search${tab ? `/${tab}` : ''}`,
  signIn: (returnTo: string) => `/auth/login?returnTo=${encodeURIComponent(returnTo)}`,
} as const;

export const USER_TABS = [
  { tab: 'details', label: 'Details' },
  { tab: 'devices', label: 'Devices' },
  { tab: 'authorized-applications', label: 'Authorized Applications' },
  { tab: 'refresh-tokens', label: 'Refresh Tokens' },
  { tab: 'sessions', label: 'Sessions' },
  { tab: 'locations', label: 'Locations' },
  { tab: 'history', label: 'History' },
] as const;
export type UserTab = (typeof USER_TABS)[number]['tab'];
