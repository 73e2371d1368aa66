import { useEffect, useId, useRef, useState, type ReactNode } from 'react';
import { Button } from './button';
import { isStepUpRequired } from '../../lib/step-up';
import { ErrorNotice } from './error-notice';
import { StepUpNotice } from './step-up-notice';

export interface ConfirmDialogProps {
  open: boolean;
  title: string;
  /** What will happen, in plain words (the impact preview). */
  children: ReactNode;
  confirmLabel: string;
  /** When set, the person must type this word before the action proceeds (Auth0's UNLINK). */
  confirmWord?: string;
  onConfirm: () => void;
  onClose: () => void;
  isPending: boolean;
  /** The action's error, shown inside the dialog where it was taken. */
  error?: unknown;
  /** False while the impact is still loading: nothing to confirm yet. */
  ready?: boolean;
  /** Whether closing gives focus back to the opener; false when the caller moves it (to a result). */
  restoreFocus?: boolean;
  /** Keeps what the dialog shows before a step-up sign-in (403 step_up_required), to reopen it after. */
  onStepUp?: () => void;
}

/**
 * A modal confirmation on the native <dialog>: focus moves in, Escape closes, and focus goes
 * back to the control that opened it. Loading state comes from the mutation (`isPending`).
 */
export function ConfirmDialog({
  open,
  title,
  children,
  confirmLabel,
  confirmWord,
  onConfirm,
  onClose,
  isPending,
  error,
  ready = true,
  restoreFocus = true,
  onStepUp,
}: ConfirmDialogProps) {
  const ref = useRef<HTMLDialogElement>(null);
  const opener = useRef<Element | null>(null);
  const [typed, setTyped] = useState('');
  const restore = useRef(restoreFocus);
  restore.current = restoreFocus;
  const titleId = useId();
  const descriptionId = useId();
  const inputId = useId();

  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (open && !dialog.open) {
      opener.current = document.activeElement;
      setTyped('');
      dialog.showModal();
    } else if (!open && dialog.open) {
      dialog.close();
    }
  }, [open]);

  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    const onDialogClose = () => {
      onClose();
      const target = opener.current;
      if (restore.current && target instanceof HTMLElement && target.isConnected) target.focus();
    };
    dialog.addEventListener('close', onDialogClose);
    return () => dialog.removeEventListener('close', onDialogClose);
  }, [onClose]);

  const gateOpen = !confirmWord || typed === confirmWord;
  return (
    <dialog ref={ref} className="dialog" aria-labelledby={titleId} aria-describedby={descriptionId}>
      <form
        method="dialog"
        onSubmit={(event) => {
          event.preventDefault();
          if (gateOpen && ready && !isPending) onConfirm();
        }}
      >
        <h2 id={titleId}>{title}</h2>
        <div id={descriptionId} className="dialog-body">
          {children}
        </div>
        {confirmWord ? (
          <div className="field">
            <label htmlFor={inputId}>
              Type <strong>{confirmWord}</strong> to confirm
            </label>
            <input
              id={inputId}
              value={typed}
              onChange={(e) => setTyped(e.target.value)}
              autoComplete="off"
              spellCheck={false}
              autoFocus
            />
          </div>
        ) : null}
        {isStepUpRequired(error) ? (
          <StepUpNotice error={error} {...(onStepUp ? { onStepUp } : {})} />
        ) : error ? (
          <ErrorNotice error={error} title="It did not work" />
        ) : null}
        <div className="dialog-actions">
          <Button variant="secondary" onClick={() => ref.current?.close()} disabled={isPending}>
            Cancel
          </Button>
          <Button
            variant="danger"
            type="submit"
            disabled={!gateOpen || !ready || isPending}
            aria-disabled={!gateOpen || !ready || isPending}
          >
            {isPending ? 'Working…' : confirmLabel}
          </Button>
        </div>
      </form>
    </dialog>
  );
}
