import type { UserDetail } from '@rtc/contracts';
import { DetailsList, detail } from '../../../components/ui/details-list';
import { RelativeTime } from '../../../components/ui/relative-time';
import { IpWithPlace } from '../../../components/ui/ip-address';

export function UserDetails({ user }: { user: UserDetail }) {
  const rows = [
    detail('User id', <code>{user.user_id}</code>),
    detail(
      'Email',
      `${user.email ?? '—'}${user.email ? (user.email_verified ? ' (verified)' : ' (not verified)') : ''}`,
    ),
    detail('Connection', user.connection ?? '—'),
    detail('Created', <RelativeTime value={user.created_at} />),
    detail('Updated', <RelativeTime value={user.updated_at} />),
    detail('Last login', <RelativeTime value={user.last_login} fallback="Never" />),
    detail('Last IP', <IpWithPlace ip={user.last_ip} place={user.last_place} />),
    detail('Logins', String(user.logins_count)),
    detail('Status', user.blocked ? 'Blocked' : 'Active'),
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
