import type { AuditEntry } from '@rtc/contracts';
import { stringify } from 'csv-stringify/sync';

const COLUMNS = [
  'at',
  'actor_name',
  'actor_sub',
  'actor_role',
  'action',
  'target_user_id',
  'target',
  'result',
  'detail',
  'request_id',
] as const;

/**
 * A cell a spreadsheet would run as a formula (=, +, -, @, tab, CR first) gets a leading
 * apostrophe, so an exported log cannot carry an injection into Excel.
 */
const guardFormula = (text: string) => (/^[=+\-@\t\r]/.test(text) ? `'${text}` : text);

/**
 * RFC 4180 CSV (CRLF, a header row, quotes where a cell needs them), formulas guarded. With
 * CRLF as the record delimiter csv-stringify quotes only a cell holding the pair, so a lone CR
 * or LF, which would split a row in most readers, is quoted by `quoted_match`.
 */
export function auditCsv(entries: AuditEntry[]): string {
  const rows = entries.map((e) => [
    e.at,
    e.actor.name,
    e.actor.sub,
    e.actor.role,
    e.action,
    e.target_user_id,
    e.target,
    e.result,
    e.detail,
    e.request_id,
  ]);
  return stringify(rows, {
    header: true,
    columns: [...COLUMNS],
    record_delimiter: 'windows',
    quoted_match: /[\r\n]/,
    cast: { string: guardFormula },
  });
}
