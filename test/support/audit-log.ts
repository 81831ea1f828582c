import { AccessLogWriter } from '../../src/audit/access-log-writer';
import type { TestApp } from './test-app';

/**
 * Writes the access rows of reads that the batched AccessLogWriter still holds, so a count or
 * select on audit_event sees every read made so far (else it may miss some, or see them later).
 */
export async function flushAccessLog(t: TestApp): Promise<void> {
  await t.app.get(AccessLogWriter).flush();
}

/** `sql` on audit_event (or any query counting its rows) after the access log is flushed. */
export async function auditRows<Row = any>(t: TestApp, sql: string, params: unknown[] = []): Promise<Row[]> {
  await flushAccessLog(t);
  return t.dataSource.query(sql, params);
}

/** How many audit rows match `where` (SQL on audit_event's columns), every read so far included. */
export async function auditCount(t: TestApp, where = 'true', params: unknown[] = []): Promise<number> {
  const [{ n }] = await auditRows<{ n: number }>(t, `SELECT count(*)::int AS n FROM audit_event WHERE ${where}`, params);
  return n;
}
