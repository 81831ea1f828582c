import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { DataSource } from 'typeorm';
import { APP_CONFIG, type AppConfig, ConfigError, EMBEDDED_CANNOT_LISTEN } from '../config/app-config';
import { EmbeddedPostgres } from './embedded-postgres';

/** Which PostgreSQL the app talks to: the configured one, or an embedded one started here. */
@Injectable()
export class DatabaseEndpoint implements OnApplicationShutdown {
  private readonly logger = new Logger('Database');
  private embedded?: EmbeddedPostgres;
  private readonly closingHooks: (() => Promise<void>)[] = [];
  url = '';

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly moduleRef: ModuleRef,
  ) {}

  get isEmbedded(): boolean {
    return this.embedded !== undefined;
  }

  get description(): string {
    if (this.embedded) return `embedded PostgreSQL (PGlite) with data in ${this.embedded.location}`;
    const url = new URL(this.url);
    return `PostgreSQL at ${url.hostname}:${url.port || 5432}${url.pathname}`;
  }

  async connect(): Promise<void> {
    if (this.url) return;
    if (this.config.databaseUrl) {
      this.url = this.config.databaseUrl;
      return;
    }
    if (this.config.databaseReadUrls.length > 0) {
      // loadConfig refuses this already; a config built in code must not slip past it either.
      throw new ConfigError('DATABASE_READ_URLS', 'needs DATABASE_URL: the embedded database has no read replicas');
    }
    if (this.config.authUserCacheSeconds > 0) {
      // Likewise (loadConfig refuses it): the caller cache needs a LISTEN the embedded database cannot serve.
      throw new ConfigError('AUTH_USER_CACHE_SECONDS', EMBEDDED_CANNOT_LISTEN);
    }
    const started = Date.now();
    this.embedded = await EmbeddedPostgres.start(this.config.dataDir, this.config.databasePoolSize + 2);
    this.url = this.embedded.url;
    this.logger.log(`embedded PostgreSQL ready in ${Date.now() - started} ms (${this.embedded.location})`);
  }

  /** Work that needs the pool one last time on shutdown (buffered access rows), run before it closes. */
  beforePoolCloses(hook: () => Promise<void>): void {
    this.closingHooks.push(hook);
  }

  async onApplicationShutdown(): Promise<void> {
    // The pool must go before the embedded socket server, or its connections error on close.
    // Runs after the HTTP server has closed, so no request is still using a connection.
    const dataSource = this.moduleRef.get(DataSource, { strict: false });
    if (dataSource?.isInitialized) {
      for (const hook of this.closingHooks) {
        await hook().catch((error: unknown) => this.logger.error(`before closing the pool: ${(error as Error).message}`));
      }
      await dataSource.destroy();
    }
    this.logger.log('database pool closed');
    if (!this.embedded) return;
    await this.embedded.stop();
    this.embedded = undefined;
  }
}
