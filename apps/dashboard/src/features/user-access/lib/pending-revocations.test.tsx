import { cleanup, render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { type ReactNode, useEffect } from 'react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { PendingRevocationsProvider, usePendingRevocations } from './pending-revocations';

afterEach(() => {
  cleanup();
  vi.useRealTimers();
  vi.restoreAllMocks();
});

const JANE = 'auth0|jane';
const JOHN = 'auth0|john';

/**
 * One kind of item of one user as a tab lists it: Revoke marks an item, the listing settles
 * the marks of what it no longer shows, and a page that dropped items settles those.
 */
function Listing({
  userId,
  prefix,
  listed,
  droppedByPage = [],
}: {
  userId: string;
  prefix: string;
  listed: string[];
  droppedByPage?: string[];
}) {
  const pending = usePendingRevocations(userId);
  const { settleAbsent } = pending;
  useEffect(() => settleAbsent(prefix, listed), [listed, settleAbsent, prefix]);
  return (
    <section aria-label={`${prefix} of ${userId}`}>
      <p>{pending.hasPending(prefix) ? 'Waiting for the listing' : 'Up to date'}</p>
      <ul>
        {listed.map((id) => (
          <li key={id}>
            {id}
            {pending.isPending(`${prefix}${id}`) ? ' Revoked' : ''}{' '}
            <button type="button" onClick={() => pending.mark([`${prefix}${id}`])}>
              Revoke {id}
            </button>
          </li>
        ))}
      </ul>
      <button type="button" onClick={() => pending.settleGone(prefix, droppedByPage)}>
        Next page
      </button>
    </section>
  );
}

/** Renders under one provider; `update` renders new listings under the same one, marks kept. */
function renderListings(ui: ReactNode) {
  const { rerender } = render(<PendingRevocationsProvider>{ui}</PendingRevocationsProvider>);
  return { update: (next: ReactNode) => rerender(<PendingRevocationsProvider>{next}</PendingRevocationsProvider>) };
}

const listing = (name: string) => screen.getByRole('region', { name });
const itemOf = (region: HTMLElement, id: string) =>
  within(region)
    .getAllByRole('listitem')
    .find((li) => li.textContent?.startsWith(id));
const isMarked = (region: HTMLElement, id: string) => itemOf(region, id)?.textContent?.includes('Revoked') ?? false;

describe('what a staff member revoked, while the listings catch up', () => {
  it('stays marked while the listing still shows it, and is settled once the listing drops it', async () => {
    const { update } = renderListings(<Listing userId={JANE} prefix="token:" listed={['rt_1', 'rt_2']} />);
    await userEvent.setup().click(screen.getByRole('button', { name: 'Revoke rt_1' }));
    const tokens = listing(`token: of ${JANE}`);
    expect(isMarked(tokens, 'rt_1')).toBe(true);
    expect(isMarked(tokens, 'rt_2')).toBe(false);
    expect(within(tokens).getByText('Waiting for the listing')).toBeTruthy();

    // A refetch that still lists it keeps the mark: the row never flickers back to live.
    update(<Listing userId={JANE} prefix="token:" listed={['rt_1', 'rt_2']} />);
    expect(isMarked(listing(`token: of ${JANE}`), 'rt_1')).toBe(true);

    update(<Listing userId={JANE} prefix="token:" listed={['rt_2']} />);
    expect(within(listing(`token: of ${JANE}`)).getByText('Up to date')).toBeTruthy();
    // Settled, not hidden: listed again (say a stale replica answers), it is not marked.
    update(<Listing userId={JANE} prefix="token:" listed={['rt_1', 'rt_2']} />);
    expect(isMarked(listing(`token: of ${JANE}`), 'rt_1')).toBe(false);
  });

  it("settles only the listing's own kind: a token listing without the device leaves the device marked", async () => {
    const { update } = renderListings(
      <>
        <Listing userId={JANE} prefix="device:" listed={['iPhone 15']} />
        <Listing userId={JANE} prefix="token:" listed={['rt_1']} />
      </>,
    );
    await userEvent.setup().click(screen.getByRole('button', { name: 'Revoke iPhone 15' }));
    update(
      <>
        <Listing userId={JANE} prefix="device:" listed={['iPhone 15']} />
        <Listing userId={JANE} prefix="token:" listed={[]} />
      </>,
    );
    expect(isMarked(listing(`device: of ${JANE}`), 'iPhone 15')).toBe(true);
    expect(within(listing(`device: of ${JANE}`)).getByText('Waiting for the listing')).toBeTruthy();
    expect(within(listing(`token: of ${JANE}`)).getByText('Up to date')).toBeTruthy();
  });

  it("keeps each user's marks apart: the same id of another user is not marked", async () => {
    renderListings(
      <>
        <Listing userId={JANE} prefix="session:" listed={['ses_1']} />
        <Listing userId={JOHN} prefix="session:" listed={['ses_1']} />
      </>,
    );
    await userEvent.setup().click(within(listing(`session: of ${JANE}`)).getByRole('button', { name: 'Revoke ses_1' }));
    expect(isMarked(listing(`session: of ${JANE}`), 'ses_1')).toBe(true);
    expect(isMarked(listing(`session: of ${JOHN}`), 'ses_1')).toBe(false);
    expect(within(listing(`session: of ${JOHN}`)).getByText('Up to date')).toBeTruthy();
  });

  it('settles the items a page no longer shows, and only those', async () => {
    renderListings(<Listing userId={JANE} prefix="token:" listed={['rt_1', 'rt_2']} droppedByPage={['rt_1']} />);
    const user = userEvent.setup();
    await user.click(screen.getByRole('button', { name: 'Revoke rt_1' }));
    await user.click(screen.getByRole('button', { name: 'Revoke rt_2' }));
    await user.click(screen.getByRole('button', { name: 'Next page' }));
    const tokens = listing(`token: of ${JANE}`);
    expect(isMarked(tokens, 'rt_1')).toBe(false);
    expect(isMarked(tokens, 'rt_2')).toBe(true);
  });

  it('gives up after two minutes, so a listing stuck on the item cannot hide it for ever', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const { update } = renderListings(<Listing userId={JANE} prefix="grant:" listed={['gr_1']} />);
    await userEvent.setup().click(screen.getByRole('button', { name: 'Revoke gr_1' }));
    const markedAt = Date.now();

    vi.setSystemTime(markedAt + 2 * 60_000 - 1);
    update(<Listing userId={JANE} prefix="grant:" listed={['gr_1']} />);
    expect(isMarked(listing(`grant: of ${JANE}`), 'gr_1')).toBe(true);

    vi.setSystemTime(markedAt + 2 * 60_000);
    update(<Listing userId={JANE} prefix="grant:" listed={['gr_1']} />);
    expect(isMarked(listing(`grant: of ${JANE}`), 'gr_1')).toBe(false);
    // Nor does the tab keep polling for it.
    expect(within(listing(`grant: of ${JANE}`)).getByText('Up to date')).toBeTruthy();
  });

  it('needs its provider, and says so', () => {
    // React reports the render error on the console as well; the thrown message is what matters.
    vi.spyOn(console, 'error').mockImplementation(() => {});
    expect(() => render(<Listing userId={JANE} prefix="token:" listed={[]} />)).toThrow(
      'usePendingRevocations needs PendingRevocationsProvider',
    );
  });
});
