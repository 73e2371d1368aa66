import type { AuditEntry } from '@rtc/contracts';

const COLUMNS = ['at', 'actor_name', 'actor_sub', 'actor_role', 'action', 'target_user_id', 'target', 'result', 'detail', 'request_id'] as const;

/**
 * RFC 4180 CSV. Cells that a spreadsheet would run as a formula (=, +, -, @, tab, CR) get a
 * leading apostrophe, so an exported log cannot carry an injection into Excel.
 */
export function auditCsv(entries: AuditEntry[]): string {
  const cell = (value: string | null) => {
    let text = value ?? '';
    if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
    return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
  };
  const lines = entries.map((e) =>
    [e.at, e.actor.name, e.actor.sub, e.actor.role, e.action, e.target_user_id, e.target, e.result, e.detail, e.request_id].map(cell).join(','),
  );
  return `${COLUMNS.join(',')}\r\n${lines.map((l) => `${l}\r\n`).join('')}`;
}
