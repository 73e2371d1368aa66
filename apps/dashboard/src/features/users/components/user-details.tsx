import type { UserDetail } from '@rtc/contracts';
import { DetailsList } from '../../../components/ui/details-list';
import { RelativeTime } from '../../../components/ui/relative-time';
import { IpWithPlace } from '../../../components/ui/ip-address';

export function UserDetails({ user }: { user: UserDetail }) {
  const rows: [string, React.ReactNode][] = [
    ['User id', <code>{user.user_id}</code>],
    ['Email', `${user.email ?? '—'}${user.email ? (user.email_verified ? ' (verified)' : ' (not verified)') : ''}`],
    ['Connection', user.connection ?? '—'],
    ['Created', <RelativeTime value={user.created_at} />],
    ['Updated', <RelativeTime value={user.updated_at} />],
    ['Last login', <RelativeTime value={user.last_login} fallback="Never" />],
    ['Last IP', <IpWithPlace ip={user.last_ip} place={user.last_place} />],
    ['Logins', String(user.logins_count)],
    ['Status', user.blocked ? 'Blocked' : 'Active'],
  ];
  return (
    <section aria-labelledby="details-heading">
      <h2 id="details-heading" className="section-title">
        Details
      </h2>
      <DetailsList rows={rows} />
    </section>
  );
}
