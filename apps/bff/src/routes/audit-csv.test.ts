import { AuditEntry } from '@rtc/contracts';
import { describe, expect, it } from 'vitest';
import { auditCsv } from './audit-csv.ts';

/** An entry as the audit log stores it, parsed by the contract's own schema. */
const entry = (detail: string, extra: { target?: string; role?: 'admin' | null } = {}) =>
  AuditEntry.parse({
    id: 'a1',
    at: '2026-01-02T03:04:05.000Z',
    actor: { sub: 'auth0|staff', name: 'Sam Support', role: extra.role === undefined ? 'admin' : extra.role },
    action: 'device.unlink',
    kind: 'change',
    target_user_id: null,
    target: extra.target ?? "Jane's phone",
    result: 'success',
    detail,
    request_id: 'req-1',
  });

const HEADER = 'at,actor_name,actor_sub,actor_role,action,target_user_id,target,result,detail,request_id\r\n';

describe('auditCsv', () => {
  it('writes a header row and one CRLF-ended row per entry, null as an empty cell', () => {
    expect(auditCsv([entry('3 tokens revoked', { role: null })])).toBe(
      `${HEADER}2026-01-02T03:04:05.000Z,Sam Support,auth0|staff,,device.unlink,,Jane's phone,success,3 tokens revoked,req-1\r\n`,
    );
    expect(auditCsv([])).toBe(HEADER);
  });

  it.each([['=HYPERLINK("x")'], ['+1'], ['-1'], ['@SUM(A1)'], ['\tx'], ['\rx']])(
    'guards %j against running as a formula',
    (detail) => {
      const row = auditCsv([entry(detail)]).split('\r\n')[1]!;
      expect(row).toContain(`'${detail.replace(/"/g, '""')}`);
    },
  );

  it('quotes commas and quotes, and a lone CR or LF, so no cell splits a row', () => {
    const csv = auditCsv([entry('a,b'), entry('say "hi"'), entry('line\nbreak'), entry('cr\rin')]);
    const rows = csv.split('\r\n');
    expect(rows).toHaveLength(6);
    expect(rows.slice(1, 5).map((r) => r.split(',success,')[1])).toEqual([
      '"a,b",req-1',
      '"say ""hi""",req-1',
      '"line\nbreak",req-1',
      '"cr\rin",req-1',
    ]);
  });
});
