import { exactTime, relativeTime } from '../../lib/format';

/** "3 days ago", with the exact time on hover and for assistive technology. */
export function RelativeTime({ value, fallback = '—' }: { value: string | null | undefined; fallback?: string }) {
  if (!value) return <span className="muted">{fallback}</span>;
  const exact = exactTime(value);
  return (
    <time dateTime={value} title={exact} aria-label={`${relativeTime(value)} (${exact})`}>
      {relativeTime(value)}
    </time>
  );
}
