import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { Client, type Notification } from 'pg';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { Clock } from '../common/clock/clock';
import { DatabaseEndpoint } from '../database/database-endpoint';
import type { User } from '../users/user.entity';

/** The columns of app_user the JWT strategy reads for each request. */
export type CallerRow = Pick<User, 'id' | 'email' | 'role' | 'schoolId' | 'localityId' | 'area' | 'organisationId' | 'active' | 'tokenVersion' | 'mustChangePassword'>;

/** The channel the app_user trigger notifies (migration 1764600000000), payload = the user's id. */
export const USER_CHANGED_CHANNEL = 'app_user_changed';
/** application_name of the LISTEN connection (operators and tests find it in pg_stat_activity by this). */
export const CALLER_CACHE_APPLICATION_NAME = 'locality-sen caller-cache';

/**
 * Rows by user id, each kept for at most `ttlMs`, at most `maxEntries` (the oldest put goes first).
 * A read of app_user takes a ticket before it starts and puts its row with it: any eviction or
 * clear in between invalidates the ticket, so a read that raced a change never caches the old row.
 */
export class CallerRowCache {
  private readonly rows = new Map<string, { row: CallerRow; expires: number }>();
  private epoch = 0;

  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries: number,
    private readonly now: () => number,
  ) {}

  get size(): number {
    return this.rows.size;
  }

  get(id: string): CallerRow | undefined {
    const entry = this.rows.get(id);
    if (!entry) return undefined;
    if (entry.expires <= this.now()) {
      this.rows.delete(id);
      return undefined;
    }
    return entry.row;
  }

  ticket(): number {
    return this.epoch;
  }

  /** Keeps the row unless something was evicted or cleared since `ticket` was taken; true when kept. */
  put(row: CallerRow, ticket: number): boolean {
    if (ticket !== this.epoch) return false;
    this.rows.delete(row.id); // re-inserted last: Map order is put order, oldest first
    while (this.rows.size >= this.maxEntries) this.rows.delete(this.rows.keys().next().value as string);
    this.rows.set(row.id, { row, expires: this.now() + this.ttlMs });
    return true;
  }

  evict(id: string): void {
    this.epoch++;
    this.rows.delete(id);
  }

  clear(): void {
    this.epoch++;
    this.rows.clear();
  }
}

const MAX_ENTRIES = 10_000;
const RECONNECT_DELAYS_MS = [100, 250, 500, 1000, 2000, 5000];

/**
 * Optional (AUTH_USER_CACHE_SECONDS > 0) cache of callers' app_user rows for the JWT strategy.
 * Off by default: then every request reads the row. When on, a dedicated connection (not from the
 * pool) LISTENs for the trigger's notifications and evicts the changed user; this instance's own
 * writes evict at once after commit (evict()). While that connection is down the cache is empty and
 * unused (every request reads app_user again) until it is back; the TTL bounds what a lost
 * notification can leave behind.
 */
@Injectable()
export class CallerCache implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('CallerCache');
  readonly enabled: boolean;
  private readonly ttlSeconds: number;
  private readonly cache: CallerRowCache;
  private listener?: Client;
  private listening = false;
  private stopped = false;
  private failures = 0;
  private retry?: NodeJS.Timeout;

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly endpoint: DatabaseEndpoint,
    clock: Clock,
  ) {
    this.enabled = config.authUserCacheSeconds > 0;
    this.ttlSeconds = config.authUserCacheSeconds;
    this.cache = new CallerRowCache(config.authUserCacheSeconds * 1000, MAX_ENTRIES, () => clock.now().getTime());
  }

  /** True while the LISTEN connection is up, i.e. while rows are cached and used. */
  get isListening(): boolean {
    return this.listening;
  }

  get(id: string): CallerRow | undefined {
    return this.listening ? this.cache.get(id) : undefined;
  }

  /** Taken before reading a row; undefined when nothing may be cached (off, or not listening). */
  ticket(): number | undefined {
    return this.listening ? this.cache.ticket() : undefined;
  }

  put(row: CallerRow, ticket: number | undefined): void {
    if (ticket !== undefined && this.listening) this.cache.put(row, ticket);
  }

  /** Call after committing a change to the user's app_user row (the NOTIFY tells the other instances). */
  evict(id: string): void {
    if (this.enabled) this.cache.evict(id);
  }

  async onApplicationBootstrap(): Promise<void> {
    // On the embedded database, loadConfig and DatabaseEndpoint refuse a cache (it cannot LISTEN there).
    if (this.enabled) await this.connect();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retry);
    this.down();
    const listener = this.listener;
    this.listener = undefined;
    await listener?.end().catch(() => undefined);
  }

  /** Opens the LISTEN connection (a seam for tests that hold a reconnect back). */
  protected async openListener(): Promise<Client> {
    const client = new Client({ connectionString: this.endpoint.url, application_name: CALLER_CACHE_APPLICATION_NAME, keepAlive: true });
    client.on('error', () => undefined); // an 'end' follows; handled there
    await client.connect();
    return client;
  }

  private async connect(): Promise<void> {
    let client: Client | undefined;
    try {
      client = await this.openListener();
      client.on('notification', (message: Notification) => {
        if (message.channel === USER_CHANGED_CHANNEL && message.payload) this.cache.evict(message.payload);
      });
      client.on('end', () => this.lost(client!));
      await client.query(`LISTEN ${USER_CHANGED_CHANNEL}`);
      if (this.stopped) {
        await client.end();
        return;
      }
      this.listener = client;
      // Nothing was cached while down (get/ticket refuse then); start empty all the same.
      this.cache.clear();
      this.listening = true;
      this.logger.log(this.failures > 0 ? 'listening for app_user changes again: caller cache back on' : `caller cache on: rows kept up to ${this.ttlSeconds} s, evicted on NOTIFY ${USER_CHANGED_CHANNEL}`);
      this.failures = 0;
    } catch (error) {
      await client?.end().catch(() => undefined);
      this.logger.warn(`cannot LISTEN for app_user changes (${(error as Error).message}): every request reads app_user until it can`);
      this.schedule();
    }
  }

  private lost(client: Client): void {
    if (client !== this.listener) return;
    this.listener = undefined;
    this.down();
    if (this.stopped) return;
    this.logger.warn('lost the LISTEN connection: caller cache off (every request reads app_user) until it reconnects');
    this.schedule();
  }

  private down(): void {
    this.listening = false;
    this.cache.clear();
  }

  private schedule(): void {
    if (this.stopped) return;
    const delay = RECONNECT_DELAYS_MS[Math.min(this.failures, RECONNECT_DELAYS_MS.length - 1)];
    this.failures++;
    this.retry = setTimeout(() => void this.connect(), delay);
    this.retry.unref();
  }
}
