import { describe, expect, it } from 'vitest';
import { prepared } from './connection.ts';

describe('prepared statements', () => {
  it('must name their columns: a prepared * breaks once a migration adds a column', () => {
    expect(() => prepared('star_select', 'SELECT * FROM clients WHERE client_id = $1')).toThrow(/name its columns/);
    expect(() => prepared('star_alias', 'SELECT t.*, u.json FROM t JOIN u ON u.id = t.id')).toThrow(/name its columns/);
    expect(() => prepared('star_returning', 'UPDATE t SET a = 1 RETURNING *')).toThrow(/name its columns/);
    expect(prepared('counted', 'SELECT count(*)::int AS n FROM t WHERE a = $1 * 2').name).toBe('counted');
  });

  it('have names unique in the process: pg keeps one statement per name on a connection', () => {
    prepared('once', 'SELECT 1 AS one');
    expect(() => prepared('once', 'SELECT 2 AS two')).toThrow(/Two prepared statements are named once/);
  });
});
