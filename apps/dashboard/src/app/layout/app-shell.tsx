import { useRef } from 'react';
import { NavLink, Outlet } from 'react-router';
import { paths } from '../../config/paths';
import { useCan, useMe } from '../../features/auth/api/get-me';
import { StaffBadge } from '../../features/auth/components/staff-badge';
import { DataAttribution } from '../../features/locations/components/data-attribution';
import { useFocusHeadingOnNavigation } from './use-focus-heading';

/** The frame of every signed-in page: product, tenant, navigation, who is signed in. */
export function AppShell() {
  const canReadAudit = useCan('readAudit');
  const canManageApplications = useCan('manageApplications');
  const canSearch = useCan('searchTokens');
  const { data } = useMe();
  const main = useRef<HTMLDivElement>(null);
  useFocusHeadingOnNavigation(main);
  return (
    <div className="shell">
      <a href="#main" className="skip-link">
        Skip to content
      </a>
      <header className="topbar">
        <div className="brand">
          <span className="logo" aria-hidden="true" />
          <span>Refresh Token Console</span>
          {data ? <span className="tenant" title={data.tenant.domain}>{data.tenant.name}</span> : null}
        </div>
        <nav aria-label="Main">
          <NavLink to={paths.users()}>Users</NavLink>
          {canSearch ? <NavLink to={paths.search()}>Search</NavLink> : null}
          <NavLink to={paths.settings}>Tenant Settings</NavLink>
          {canManageApplications ? <NavLink to="/applications">Applications</NavLink> : null}
          {canReadAudit ? <NavLink to={paths.audit}>Audit log</NavLink> : null}
        </nav>
        <StaffBadge />
      </header>
      <div id="main" className="content" ref={main}>
        <Outlet />
      </div>
      <footer className="footer">
        <DataAttribution />
      </footer>
    </div>
  );
}
