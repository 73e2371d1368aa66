import type { ReactNode } from 'react';

/**
 * One row of a DetailsList. Written as a call, not a `[label, <value />]` literal, because the value is the one child
 * of its <dd> (the row is keyed by label) while a linter reads JSX in an array literal as a list missing its keys.
 */
export const detail = (label: string, value: ReactNode): [label: string, value: ReactNode] => [label, value];

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
