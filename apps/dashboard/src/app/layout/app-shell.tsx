import { useEffect, useRef, useState } from 'react';
import { NavLink, Outlet, useLocation } from 'react-router';
import { paths } from '../../config/paths';
import { useCan, useMe } from '../../features/auth/api/get-me';
import { StaffBadge } from '../../features/auth/components/staff-badge';
import { DataAttribution } from '../../features/locations/components/data-attribution';
import { useStackedTableLabels } from '../../lib/stacked-tables';
import { useFocusHeadingOnNavigation } from './use-focus-heading';

/** The frame of every signed-in page: product, tenant, navigation, who is signed in. */
export function AppShell() {
  const canReadAudit = useCan('readAudit');
  const canManageApplications = useCan('manageApplications');
  const canSearch = useCan('searchTokens');
  const { data } = useMe();
  const main = useRef<HTMLDivElement>(null);
  useFocusHeadingOnNavigation(main);
  useStackedTableLabels();
  // On a narrow screen the navigation folds behind "Menu", so the header stays one line.
  const [menuOpen, setMenuOpen] = useState(false);
  const menuButton = useRef<HTMLButtonElement>(null);
  const location = useLocation();
  // biome-ignore lint/correctness/useExhaustiveDependencies: the location is the trigger: a navigation closes the menu
  useEffect(() => setMenuOpen(false), [location.pathname, location.search]);
  return (
    <div className="shell">
      <a href="#main" className="skip-link">
        Skip to content
      </a>
      {/* biome-ignore lint/a11y/noStaticElementInteractions: focusout bubbling from the header's own buttons and links */}
      <header
        className="topbar"
        onBlur={(event) => {
          // Focus gone elsewhere on the page (a tap beside the menu): the menu closes.
          if (!event.currentTarget.contains(event.relatedTarget as Node | null)) setMenuOpen(false);
        }}
      >
        <div className="brand">
          <span className="logo" aria-hidden="true" />
          <span className="brand-name">Refresh Token Console</span>
          {data ? (
            <span className="tenant" title={data.tenant.domain}>
              {data.tenant.name}
            </span>
          ) : null}
        </div>
        <button
          type="button"
          ref={menuButton}
          className="btn btn-ghost menu-button"
          aria-expanded={menuOpen}
          aria-controls="main-menu"
          onClick={() => setMenuOpen(!menuOpen)}
        >
          Menu
        </button>
        {/* biome-ignore lint/a11y/noStaticElementInteractions: Escape pressed on a link inside the menu bubbles here */}
        <div
          id="main-menu"
          className={`menu-panel${menuOpen ? ' open' : ''}`}
          onKeyDown={(event) => {
            if (event.key !== 'Escape') return;
            setMenuOpen(false);
            menuButton.current?.focus();
          }}
        >
          {data ? <p className="menu-tenant muted">{data.tenant.name}</p> : null}
          {/* Every click in it follows a link: the menu has done its job, even for the page already shown. */}
          {/* biome-ignore lint/a11y/useKeyWithClickEvents: Enter on a link fires the same click, which bubbles here */}
          <nav aria-label="Main" onClick={() => setMenuOpen(false)}>
            <NavLink to={paths.users()}>Users</NavLink>
            {canSearch ? <NavLink to={paths.search()}>Search</NavLink> : null}
            <NavLink to={paths.settings}>Tenant Settings</NavLink>
            {canManageApplications ? <NavLink to="/applications">Applications</NavLink> : null}
            {canReadAudit ? <NavLink to={paths.audit}>Audit log</NavLink> : null}
          </nav>
        </div>
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
