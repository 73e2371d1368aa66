import { useEffect, useRef, type RefObject } from 'react';
import { useLocation } from 'react-router';

/**
 * The page a path shows, tabs included: a user's tabs (/users/:id/devices) and the search's
 * (/search/sessions) are one page with a heading that does not change.
 */
export function pageOf(pathname: string): string {
  const [first, second] = pathname.split('/').filter(Boolean);
  if (first === 'users' && second) return `/users/${second}`;
  return `/${first ?? ''}`;
}

/**
 * After a client-side navigation to another page, focus goes to its h1 (WCAG 2.4.3): otherwise it
 * stays on the link just followed, or falls to <body>, and a screen reader says nothing of the
 * new page. Not on the first page shown (the browser starts at the top), nor for a tab of the
 * same page or a filter in the query string, where the person's place should stay.
 */
export function useFocusHeadingOnNavigation(container: RefObject<HTMLElement | null>) {
  const page = pageOf(useLocation().pathname);
  const shown = useRef(page);
  useEffect(() => {
    if (shown.current === page) return;
    shown.current = page;
    const heading = container.current?.querySelector('h1');
    if (!heading) return;
    // Focusable by script only: it is not a stop for Tab.
    if (!heading.hasAttribute('tabindex')) heading.setAttribute('tabindex', '-1');
    heading.focus();
  }, [page, container]);
}
