import { useQuery } from '@tanstack/react-query';
import { useEffect, useState, type FormEvent } from 'react';
import { Navigate, NavLink, Outlet, useLocation, useOutletContext, useSearchParams } from 'react-router';
import { Button } from '../../../components/ui/button';
import { paths } from '../../../config/paths';
import { ApiError } from '../../../lib/api-client';
import { useTitle } from '../../../lib/use-title';
import { useCan, useMe } from '../../auth/api/get-me';
import { searchApplicationsQuery } from '../api/search';
import { containableFilter, IncidentPanel } from './incident-panel';
import {
  DPOP_CHOICES,
  filterFromParams,
  filterSearch,
  SESSION_FILTER_KEYS,
  TOKEN_FILTER_KEYS,
  type FilterKey,
  type SearchFilter,
} from '../lib/filters';

export interface SearchOutletContext {
  filter: SearchFilter;
  /** The application's name, for the filter in words. */
  applicationName: (clientId: string) => string;
  /** The last search's field errors (400), shown beside the fields. */
  reportFieldErrors: (error: unknown) => void;
}
export const useSearchOutlet = () => useOutletContext<SearchOutletContext>();

/** /search: to the first tab, keeping the filters. */
export function SearchIndex() {
  return <Navigate to={{ pathname: paths.search('refresh-tokens'), search: useLocation().search }} replace />;
}

/**
 * Search across users (support and admin): refresh tokens and sessions by address
 * or range, network, agent, device, application and "last used between". The filters live in
 * the URL; each tab (a nested route) pages its results on the server.
 */
export function SearchPage() {
  useTitle('Search');
  const allowed = useCan('searchTokens');
  const me = useMe();
  const [params, setParams] = useSearchParams();
  const sessionsTab = useLocation().pathname.endsWith('/sessions');
  const keys = sessionsTab ? SESSION_FILTER_KEYS : TOKEN_FILTER_KEYS;
  const filter = filterFromParams(params, keys);
  const applications = useQuery({ ...searchApplicationsQuery(), enabled: allowed });
  const names = new Map(applications.data?.applications.map((a) => [a.client_id, a.name]));
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({});
  // Edited here, applied to the URL (and so searched) on submit.
  const [draft, setDraft] = useState<SearchFilter>(() => filterFromParams(params));
  const urlKey = params.toString();
  useEffect(() => setDraft(filterFromParams(new URLSearchParams(urlKey))), [urlKey]);

  if (me.data && !allowed) {
    return (
      <main className="page" aria-labelledby="search-title">
        <h1 id="search-title">Search</h1>
        <p className="callout">
          Your role ({me.data.user.role}) may not search across users. Ask a support lead or an admin.
        </p>
      </main>
    );
  }

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setFieldErrors({});
    setParams(new URLSearchParams(filterSearch(draft).slice(1)));
  };
  const field = (key: FilterKey, label: string, props: React.InputHTMLAttributes<HTMLInputElement> = {}) => {
    const error = fieldErrors[key];
    const hidden = !keys.includes(key);
    if (hidden) return null;
    return (
      <label>
        {label}
        <input
          name={key}
          value={draft[key] ?? ''}
          onChange={(e) => setDraft({ ...draft, [key]: e.target.value })}
          aria-invalid={error ? true : undefined}
          aria-describedby={error ? `search-error-${key}` : undefined}
          autoComplete="off"
          spellCheck={false}
          {...props}
        />
        {error ? (
          <span id={`search-error-${key}`} className="small" role="alert">
            {label} {error}
          </span>
        ) : null}
      </label>
    );
  };
  const containable = containableFilter(filterFromParams(params));
  const context: SearchOutletContext = {
    filter,
    applicationName: (id) => names.get(id) ?? id,
    reportFieldErrors: (error) => setFieldErrors(error instanceof ApiError && error.fields ? error.fields : {}),
  };

  return (
    <main className="page" aria-labelledby="search-title">
      <h1 id="search-title">Search</h1>
      <p className="muted">
        Refresh tokens and sessions of every user, by where and how they were issued or last used: an address or range,
        a network, an agent, a device, an application, a time.
      </p>
      {/* biome-ignore lint/a11y/useSemanticElements: a form with role search is the landmark Testing Library and every browser know; <search> is not mapped */}
      <form className="filters" role="search" aria-label="Search across users" onSubmit={submit}>
        {field('ip', 'IP address or range', { placeholder: '203.0.113.7 or 203.0.113.0/24' })}
        {field('asn', 'Network (ASN)', { placeholder: 'AS64500' })}
        {field('user_agent', 'User agent contains')}
        {field('device_name', 'Device name contains')}
        {keys.includes('client_id') ? (
          <label>
            Application
            <select value={draft.client_id ?? ''} onChange={(e) => setDraft({ ...draft, client_id: e.target.value })}>
              <option value="">All applications</option>
              {applications.data?.applications.map((a) => (
                <option key={a.client_id} value={a.client_id}>
                  {a.name}
                </option>
              ))}
            </select>
          </label>
        ) : null}
        {field('last_used_from', 'Last used from', { type: 'datetime-local' })}
        {field('last_used_to', 'Last used before', { type: 'datetime-local' })}
        {keys.includes('dpop') ? (
          <label>
            Binding
            <select value={draft.dpop ?? ''} onChange={(e) => setDraft({ ...draft, dpop: e.target.value })}>
              <option value="">Any binding</option>
              {Object.entries(DPOP_CHOICES).map(([value, label]) => (
                <option key={value} value={value}>
                  {label}
                </option>
              ))}
            </select>
          </label>
        ) : null}
        <Button variant="primary" type="submit">
          Search
        </Button>
      </form>
      {/* An address, a network or an AS number: its tokens and sessions side by side, contained at once. */}
      {containable ? (
        <IncidentPanel
          key={JSON.stringify(containable)}
          filter={containable}
          applicationName={context.applicationName}
        />
      ) : null}
      <nav className="tabs" aria-label="Search results">
        {/* Each tab keeps the filters it can use. */}
        <NavLink
          to={{
            pathname: paths.search('refresh-tokens'),
            search: filterSearch(filterFromParams(params), TOKEN_FILTER_KEYS),
          }}
        >
          Refresh tokens
        </NavLink>
        <NavLink
          to={{
            pathname: paths.search('sessions'),
            search: filterSearch(filterFromParams(params), SESSION_FILTER_KEYS),
          }}
        >
          Sessions
        </NavLink>
      </nav>
      <div className="tab-panel">
        <Outlet context={context} />
      </div>
    </main>
  );
}
