import { cleanup, render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it } from 'vitest';
import { AuditDetail } from './audit-detail';

afterEach(cleanup);

/** As a search's revocation records it: the filter, the counts, then 10,000 ids (~250 KB). */
const ids = Array.from({ length: 10_000 }, (_, i) => `rt_${String(i).padStart(21, '0')}`);
const long = `filter {"ip":"203.0.113.0/24"}; matched 10000 refresh tokens of 41 users on 57 devices; revoked all of them; token ids: ${ids.join(' ')}`;

describe("an audit entry's detail in the list", () => {
  it('shows a long detail clipped to its start, with a "Show all" disclosure that shows it whole', async () => {
    const user = userEvent.setup();
    const { container } = render(<AuditDetail detail={long} />);
    expect(long.length).toBeGreaterThan(250_000);
    expect(container.textContent!.length).toBeLessThan(400);
    expect(container.textContent).toContain('matched 10000 refresh tokens of 41 users');
    expect(container.textContent).not.toContain(ids.at(-1));
    const toggle = screen.getByRole('button', { name: /Show all/ });
    expect(toggle.getAttribute('aria-expanded')).toBe('false');
    await user.click(toggle);
    expect(container.textContent).toContain(ids.at(-1));
    expect(screen.getByRole('button', { name: 'Show less' }).getAttribute('aria-expanded')).toBe('true');
  });

  it('shows a short detail as it is, with no button', () => {
    const { container } = render(<AuditDetail detail="revoked 3 refresh tokens" />);
    expect(container.textContent).toBe('revoked 3 refresh tokens');
    expect(screen.queryByRole('button')).toBeNull();
  });
});
