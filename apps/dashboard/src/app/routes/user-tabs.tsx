import { HistoryTab } from '../../features/history/components/history-tab';
import { LocationsTab } from '../../features/locations/components/locations-tab';
import { AuthorizedAppsTab } from '../../features/user-access/components/authorized-apps-tab';
import { DevicesTab } from '../../features/user-access/components/devices-tab';
import { RefreshTokensTab } from '../../features/user-access/components/refresh-tokens-tab';
import { SessionsTab } from '../../features/user-access/components/sessions-tab';
import { UserDetails } from '../../features/users/components/user-details';
import { useUserOutlet } from './user-layout';

/** Route modules of the user tabs, loaded with the user page (one chunk). */
export const DetailsRoute = () => <UserDetails user={useUserOutlet().user} />;
export const DevicesRoute = () => <DevicesTab userId={useUserOutlet().userId} />;
export const AuthorizedAppsRoute = () => <AuthorizedAppsTab userId={useUserOutlet().userId} />;
// Keyed by user: its paging, mode and filters start afresh on another user.
export const RefreshTokensRoute = () => {
  const { userId } = useUserOutlet();
  return <RefreshTokensTab key={userId} userId={userId} />;
};
export const SessionsRoute = () => <SessionsTab userId={useUserOutlet().userId} />;
export const LocationsRoute = () => <LocationsTab userId={useUserOutlet().userId} />;
// Keyed by user: its page starts afresh on another user.
export const HistoryRoute = () => {
  const { userId } = useUserOutlet();
  return <HistoryTab key={userId} userId={userId} />;
};
