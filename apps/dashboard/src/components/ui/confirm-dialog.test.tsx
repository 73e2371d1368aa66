import { act, cleanup, render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { useState } from 'react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ConfirmDialog } from './confirm-dialog';

afterEach(cleanup);

function Harness({ onConfirm, isPending = false }: { onConfirm: () => void; isPending?: boolean }) {
  const [open, setOpen] = useState(false);
  return (
    <>
      <button type="button" onClick={() => setOpen(true)}>
        Unlink iPhone 15
      </button>
      <ConfirmDialog
        open={open}
        title="Unlink iPhone 15?"
        confirmLabel="Unlink"
        confirmWord="UNLINK"
        onConfirm={onConfirm}
        onClose={() => setOpen(false)}
        isPending={isPending}
      >
        <p>This revokes 3 refresh tokens on iPhone 15.</p>
      </ConfirmDialog>
    </>
  );
}

describe('the UNLINK gate', () => {
  it('proceeds only once UNLINK is typed exactly', async () => {
    const user = userEvent.setup();
    const onConfirm = vi.fn();
    render(<Harness onConfirm={onConfirm} />);
    await user.click(screen.getByRole('button', { name: 'Unlink iPhone 15' }));
    const dialog = screen.getByRole('dialog', { name: 'Unlink iPhone 15?' });
    expect(dialog).toHaveProperty('open', true);
    const confirm = screen.getByRole('button', { name: 'Unlink' });
    expect(confirm).toHaveProperty('disabled', true);

    const input = screen.getByLabelText(/Type UNLINK to confirm/);
    await user.type(input, 'unlink');
    expect(confirm).toHaveProperty('disabled', true);
    await user.keyboard('{Enter}');
    expect(onConfirm).not.toHaveBeenCalled();

    await user.clear(input);
    await user.type(input, 'UNLINK');
    expect(confirm).toHaveProperty('disabled', false);
    await user.click(confirm);
    expect(onConfirm).toHaveBeenCalledTimes(1);
  });

  it('describes the impact to assistive technology and returns focus to the opener on cancel', async () => {
    const user = userEvent.setup();
    render(<Harness onConfirm={() => {}} />);
    const opener = screen.getByRole('button', { name: 'Unlink iPhone 15' });
    await user.click(opener);
    const dialog = screen.getByRole('dialog');
    expect(dialog.getAttribute('aria-describedby')).toBeTruthy();
    expect(document.getElementById(dialog.getAttribute('aria-describedby')!)?.textContent).toContain(
      '3 refresh tokens',
    );
    await act(async () => {
      await user.click(screen.getByRole('button', { name: 'Cancel' }));
    });
    expect(dialog).toHaveProperty('open', false);
    expect(document.activeElement).toBe(opener);
  });

  it('offers no confirm while the action runs', async () => {
    const user = userEvent.setup();
    render(<Harness onConfirm={() => {}} isPending />);
    await user.click(screen.getByRole('button', { name: 'Unlink iPhone 15' }));
    await user.type(screen.getByLabelText(/Type UNLINK/), 'UNLINK');
    expect(screen.getByRole('button', { name: 'Working…' })).toHaveProperty('disabled', true);
  });
});
