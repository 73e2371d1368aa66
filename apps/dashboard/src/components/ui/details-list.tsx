import type { ReactNode } from 'react';

/** Label and value pairs, as a description list laid out in columns. */
export function DetailsList({ rows }: { rows: [label: string, value: ReactNode][] }) {
  return (
    <dl className="details">
      {rows.map(([label, value]) => (
        <div key={label}>
          <dt>{label}</dt>
          <dd>{value}</dd>
        </div>
      ))}
    </dl>
  );
}
