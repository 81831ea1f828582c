import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import type { PGlite } from '@electric-sql/pglite';
import type { PGLiteSocketServer } from '@electric-sql/pglite-socket';

export const IN_MEMORY = ':memory:';

/**
 * PostgreSQL compiled to WASM (PGlite), served on a loopback socket so the app uses the same
 * pg driver path as in production. All connections share one session (see STACK.md), so the
 * code must never rely on advisory locks or session settings to exclude its own connections (the
 * start-up migration lock in migrate.ts only excludes other processes, and one process at a time
 * owns a PGlite data directory), and every statement of a transaction must go through that
 * transaction's EntityManager. Two app instances can therefore not share an embedded database.
 * PGlite is loaded only here, when the embedded database starts: an app on DATABASE_URL never loads it.
 */
export class EmbeddedPostgres {
  private constructor(
    private readonly db: PGlite,
    private readonly server: PGLiteSocketServer,
    readonly url: string,
    readonly location: string,
  ) {}

  static async start(dataDir: string, maxConnections: number): Promise<EmbeddedPostgres> {
    const inMemory = dataDir === IN_MEMORY;
    const location = inMemory ? 'memory' : resolve(dataDir);
    if (!inMemory) mkdirSync(location, { recursive: true });
    const [{ PGlite }, { PGLiteSocketServer }] = await Promise.all([import('@electric-sql/pglite'), import('@electric-sql/pglite-socket')]);
    const db = await PGlite.create(inMemory ? {} : { dataDir: location });
    // maxConnections must cover the pool, or the server drops the extra connections.
    const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0, maxConnections });
    await server.start();
    const address = server.getServerConn(); // "127.0.0.1:54321"
    return new EmbeddedPostgres(db, server, `postgres://postgres@${address}/postgres`, location);
  }

  async stop(): Promise<void> {
    await this.server.stop();
    if (!this.db.closed) await this.db.close();
  }
}
