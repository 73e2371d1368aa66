import { useEffect, useRef } from 'react';
import { Link } from 'react-router';
import { Button } from './button';

/** What an action did, in words, and where its audit entry is. */
export interface ActionOutcome {
  /** The opening words, bold: "Done.", "Signed out everywhere." */
  title: string;
  sentence: string;
  auditHref: string;
}

/**
 * The result of the last destructive action: a live region present before it fills (so it is
 * announced), focused when it fills so the keyboard stays where the result is, with a link to
 * the action's audit entry. Every action dialog shows its result through this one.
 */
export function ActionResultRegion({
  done,
  onDismiss,
  testId,
}: {
  done: ActionOutcome | null;
  onDismiss: () => void;
  testId?: string;
}) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!done) return;
    // After the dialog's close, which gives focus back to its opener (the browser does, for a modal).
    const timer = setTimeout(() => ref.current?.focus(), 0);
    return () => clearTimeout(timer);
  }, [done]);
  return (
    <div
      ref={ref}
      role="status"
      aria-live="polite"
      tabIndex={done ? -1 : undefined}
      className={done ? 'callout callout-success action-summary' : 'action-summary-empty'}
      {...(testId ? { 'data-testid': testId } : {})}
    >
      {done ? (
        <>
          <p>
            <strong>{done.title}</strong> {done.sentence}
          </p>
          <p>
            <Link to={done.auditHref}>See this action in the audit log</Link>{' '}
            <Button variant="ghost" onClick={onDismiss}>
              Dismiss
            </Button>
          </p>
        </>
      ) : null}
    </div>
  );
}
