import { Inject, Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { Caller } from '../access/caller';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { AUDIT_COLUMNS, AUDIT_ROW_PARAMS, auditRowParams, auditRowSql } from './audit-row';
import type { AuditEntry } from './audit.service';

/** A buffer this full is written at once; otherwise ACCESS_LOG_FLUSH_MS (default 200) after its first row. */
export const ACCESS_LOG_BATCH_ROWS = 200;
/** Rows kept while the database refuses them (an outage); older ones beyond this are dropped, and said so. */
const MAX_PENDING_ROWS = 50_000;

/**
 * Access rows of reads (who read a child's record), written in batches: a read is no use case's
 * write, so its access row need not share a transaction (issue 9), and one multi-row INSERT per
 * ACCESS_LOG_BATCH_ROWS rows or ACCESS_LOG_FLUSH_MS replaces a transaction and a commit per read.
 * Each row keeps the time of the read. The buffer is written before the pool closes on a graceful
 * shutdown (no row lost); a SIGKILL loses at most the rows of the last ACCESS_LOG_FLUSH_MS. Readers of the
 * trail call `flush()` first, so this instance's reads show at once.
 */
@Injectable()
export class AccessLogWriter {
  private readonly logger = new Logger('AccessLog');
  private pending: unknown[][] = [];
  private timer?: NodeJS.Timeout;
  private writing: Promise<void> = Promise.resolve();

  constructor(
    private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /**
   * On shutdown, once the HTTP server has answered its last request and before the pool closes
   * (bootstrap.ts calls it from Fastify's onClose hook, which runs before Nest's shutdown hooks).
   */
  async close(): Promise<void> {
    const buffered = this.pending.length;
    await this.flush();
    if (buffered > 0) this.logger.log(`${buffered} buffered access rows written before the pool closed`);
  }

  /** Queues the access row of a read by `caller` (the time is now). */
  record(caller: Caller, entry: AuditEntry): void {
    this.pending.push(auditRowParams(caller, entry, new Date()));
    if (this.pending.length >= ACCESS_LOG_BATCH_ROWS) void this.flush();
    else if (!this.timer) {
      this.timer = setTimeout(() => void this.flush(), this.config.accessLogFlushMs);
      this.timer.unref();
    }
  }

  /** Writes every queued row (and waits for writes already under way). */
  flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    const rows = this.pending;
    this.pending = [];
    // One write at a time, in order: a flush waits for the one before it.
    this.writing = this.writing.then(() => this.write(rows));
    return this.writing;
  }

  private async write(rows: unknown[][]): Promise<void> {
    for (let start = 0; start < rows.length; start += ACCESS_LOG_BATCH_ROWS) {
      const batch = rows.slice(start, start + ACCESS_LOG_BATCH_ROWS);
      try {
        await this.dataSource.query(
          `INSERT INTO audit_event (${AUDIT_COLUMNS}) VALUES ${batch.map((_, i) => auditRowSql(i * AUDIT_ROW_PARAMS)).join(', ')}`,
          batch.flat(),
        );
      } catch (error) {
        // Kept for the next flush (the database may be back by then), up to MAX_PENDING_ROWS.
        const kept = [...rows.slice(start), ...this.pending];
        const dropped = Math.max(0, kept.length - MAX_PENDING_ROWS);
        this.pending = kept.slice(dropped);
        this.logger.error(
          `could not write ${rows.length - start} access rows (${(error as Error).message}); retrying${dropped ? `, ${dropped} oldest dropped` : ''}`,
        );
        if (this.dataSource.isInitialized && !this.timer) {
          this.timer = setTimeout(() => void this.flush(), Math.max(1000, this.config.accessLogFlushMs));
          this.timer.unref();
        }
        return;
      }
    }
  }
}
