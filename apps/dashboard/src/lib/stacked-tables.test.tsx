import { act, cleanup, render } from '@testing-library/react';
import { useState } from 'react';
import { afterEach, describe, expect, it } from 'vitest';
import { labelTableCells, useStackedTableLabels } from './stacked-tables';

afterEach(cleanup);

function Tokens({ rows }: { rows: string[] }) {
  return (
    <table className="table">
      <thead>
        <tr>
          <th scope="col">Application</th>
          <th scope="col">
            Created<span aria-hidden="true"> ▼</span>
          </th>
          <th scope="col">
            <span className="visually-hidden">Actions</span>
          </th>
        </tr>
      </thead>
      <tbody>
        {rows.map((row) => (
          <tr key={row}>
            <th scope="row">{row}</th>
            <td>yesterday</td>
            <td>
              <button type="button">Revoke</button>
            </td>
          </tr>
        ))}
        <tr>
          <td colSpan={3}>details of a row</td>
        </tr>
      </tbody>
    </table>
  );
}

const labels = (container: HTMLElement) =>
  Array.from(container.querySelectorAll('tbody tr')).map((row) =>
    Array.from(row.children).map((cell) => cell.getAttribute('data-label')),
  );

describe('labelTableCells', () => {
  it("labels each body cell with its column's header as shown, and leaves unlabelled a hidden header's column and a cell across columns", () => {
    const { container } = render(<Tokens rows={['Acme Mobile']} />);
    labelTableCells(container);
    expect(labels(container)).toEqual([['Application', 'Created', null], [null]]);
  });

  it('labels nothing in a table that is not a console table or has no header row', () => {
    const { container } = render(
      <table>
        <tbody>
          <tr>
            <td>plain</td>
          </tr>
        </tbody>
      </table>,
    );
    labelTableCells(container);
    expect(container.querySelector('td')!.hasAttribute('data-label')).toBe(false);
  });
});

/** A page using the hook, whose table gains a row when its button is pressed. */
function GrowingPage() {
  useStackedTableLabels();
  const [rows, setRows] = useState(['Acme Mobile']);
  return (
    <>
      <Tokens rows={rows} />
      <button type="button" onClick={() => setRows((r) => [...r, 'Acme Web'])}>
        Add a row
      </button>
    </>
  );
}

describe('useStackedTableLabels', () => {
  it('labels rows rendered after it started', async () => {
    const { container, getByRole } = render(<GrowingPage />);
    expect(labels(container)[0]).toEqual(['Application', 'Created', null]);
    act(() => getByRole('button', { name: 'Add a row' }).click());
    await expect.poll(() => labels(container)[1]).toEqual(['Application', 'Created', null]);
  });
});
