import { useQuery } from '@tanstack/react-query';
import { lazy, Suspense, useMemo } from 'react';
import { EmptyState } from '../../../components/ui/empty-state';
import { ErrorNotice } from '../../../components/ui/error-notice';
import { RetryingNotice } from '../../../components/ui/retrying-notice';
import { RelativeTime } from '../../../components/ui/relative-time';
import { SkeletonBlock, SkeletonRows } from '../../../components/ui/skeleton';
import { plural } from '../../../lib/format';
import { locationsQuery } from '../api/locations';
import { countriesOf } from '../lib/countries';

const capitalise = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

// The map and its shapes are a chunk of their own: the initial JS budget holds.
const WorldMap = lazy(() => import('./world-map'));

/**
 * Users > a user > Locations: every network and country the user's refresh tokens and
 * sessions were issued or used from, with first and last seen and what was there. A phone
 * issued at home and last used on another continent stands out here.
 */
export function LocationsTab({ userId }: { userId: string }) {
  const locations = useQuery(locationsQuery(userId));
  const list = locations.data?.locations ?? [];
  const countries = useMemo(() => countriesOf(list), [list]);

  return (
    <section aria-labelledby="locations-heading">
      <h2 id="locations-heading" className="section-title">
        Locations
      </h2>
      <p className="muted">
        Where this user's refresh tokens and sessions were issued and last used: the network and country of each
        address, from an offline IP database.
      </p>
      <RetryingNotice query={locations} what="locations" />
      {locations.error ? (
        <ErrorNotice
          error={locations.error}
          onRetry={() => void locations.refetch()}
          title="Could not load locations"
        />
      ) : null}
      {locations.isPending ? (
        <SkeletonBlock lines={6} label="Loading the map" />
      ) : countries.length ? (
        <Suspense fallback={<SkeletonBlock lines={6} label="Loading the map" />}>
          <WorldMap
            countries={countries}
            title={`Countries where this user's tokens and sessions were used (${countries.length})`}
          />
        </Suspense>
      ) : null}
      <table className="table">
        <caption className="visually-hidden">
          Networks and countries this user's tokens and sessions were used from
        </caption>
        <thead>
          <tr>
            <th scope="col">Network</th>
            <th scope="col">Country</th>
            <th scope="col">Addresses</th>
            <th scope="col">First seen</th>
            <th scope="col">Last seen</th>
            <th scope="col">Devices</th>
            <th scope="col">Seen by</th>
          </tr>
        </thead>
        {locations.isPending ? (
          <SkeletonRows columns={7} rows={3} label="Loading locations" />
        ) : (
          <tbody>
            {list.map((location) => (
              <tr key={location.key}>
                <th scope="row">
                  {location.network ?? (location.range ? capitalise(location.range) : 'Unknown network')}
                  {location.asn ? <div className="muted small">{location.asn}</div> : null}
                </th>
                <td>
                  {location.country_name ??
                    location.country ??
                    (location.range ? 'None: not on the public internet' : 'Unknown')}
                </td>
                <td>
                  {location.ips.slice(0, 3).map((ip) => (
                    <div key={ip}>
                      <code className="ip-address">{ip}</code>
                    </div>
                  ))}
                  {location.ips.length > 3 ? (
                    <div className="muted small">and {location.ips.length - 3} more</div>
                  ) : null}
                </td>
                <td>
                  <RelativeTime value={location.first_seen_at} />
                </td>
                <td>
                  <RelativeTime value={location.last_seen_at} />
                </td>
                <td>{location.device_names.join(', ') || '—'}</td>
                <td>
                  {[
                    location.token_ids.length ? plural(location.token_ids.length, 'refresh token') : '',
                    location.session_ids.length ? plural(location.session_ids.length, 'session') : '',
                  ]
                    .filter(Boolean)
                    .join(', ')}
                </td>
              </tr>
            ))}
          </tbody>
        )}
      </table>
      {locations.data && list.length === 0 ? (
        <EmptyState title="No locations">This user has no live refresh tokens or sessions.</EmptyState>
      ) : null}
    </section>
  );
}
