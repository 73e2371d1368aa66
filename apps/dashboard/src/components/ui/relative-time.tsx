import { useId, useState } from 'react';
import { exactTime, relativeTime } from '../../lib/format';

/**
 * "3 days ago", with the exact time in a tooltip shown on hover and on keyboard focus (the
 * element is a tab stop), dismissed with Escape, and given to assistive technology as the
 * element's description. A `title` alone reaches neither keyboards nor touch.
 */
export function RelativeTime({ value, fallback = '—' }: { value: string | null | undefined; fallback?: string }) {
  const id = useId();
  const [dismissed, setDismissed] = useState(false);
  if (!value) return <span className="muted">{fallback}</span>;
  return (
    // biome-ignore lint/a11y/noStaticElementInteractions: the pointer's half of the tooltip; the keyboard's is onBlur below
    <span className={`relative-time${dismissed ? ' dismissed' : ''}`} onMouseLeave={() => setDismissed(false)}>
      <time
        dateTime={value}
        // biome-ignore lint/a11y/noNoninteractiveTabindex: a tab stop so a keyboard can show the exact time (WCAG 1.4.13)
        tabIndex={0}
        aria-describedby={id}
        onBlur={() => setDismissed(false)}
        onKeyDown={(e) => {
          if (e.key === 'Escape') setDismissed(true);
        }}
      >
        {relativeTime(value)}
      </time>
      <span role="tooltip" id={id} className="tooltip">
        {exactTime(value)}
      </span>
    </span>
  );
}
