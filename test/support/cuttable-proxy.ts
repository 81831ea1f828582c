import { createServer, connect, type Server, type Socket } from 'node:net';

export type ProxyMode = 'up' | 'refuse' | 'blackhole' | 'stall';

/**
 * A TCP proxy between the app and its PostgreSQL that a test can cut and restore, so an outage is
 * staged without touching the machine's shared cluster. Modes:
 * - up: bytes flow both ways;
 * - refuse: every open connection is reset and new ones are dropped at once (the server died);
 * - blackhole: open connections are reset, new ones are accepted and never answered (a network
 *   partition, or a server too stuck to answer): only the app's own timeouts can end the wait;
 * - stall: open connections stay open but nothing flows either way (a partition under established
 *   connections, mid-query); back to `up`, the held bytes flow again, as when a partition heals.
 */
export class CuttableProxy {
  private server?: Server;
  private readonly pairs = new Set<Socket>();
  private mode: ProxyMode = 'up';
  port = 0;

  constructor(
    private readonly targetHost: string,
    private readonly targetPort: number,
  ) {}

  async listen(): Promise<number> {
    this.server = createServer((client) => this.accept(client));
    await new Promise<void>((done) => this.server!.listen(0, '127.0.0.1', done));
    this.port = (this.server!.address() as { port: number }).port;
    return this.port;
  }

  /** Rewrites a postgres:// URL to go through the proxy. */
  urlFor(url: string): string {
    const through = new URL(url);
    through.hostname = '127.0.0.1';
    through.port = String(this.port);
    return through.toString();
  }

  set(mode: ProxyMode): void {
    const was = this.mode;
    this.mode = mode;
    if (mode === 'stall') for (const socket of this.pairs) socket.pause();
    else if (mode === 'up' && was === 'stall') for (const socket of this.pairs) socket.resume();
    else if (mode !== 'up') this.resetAll();
  }

  get openConnections(): number {
    return this.pairs.size;
  }

  async close(): Promise<void> {
    this.resetAll();
    await new Promise<void>((done) => (this.server ? this.server.close(() => done()) : done()));
  }

  private accept(client: Socket): void {
    client.on('error', () => undefined);
    if (this.mode === 'refuse') {
      client.resetAndDestroy();
      return;
    }
    this.pairs.add(client);
    client.once('close', () => this.pairs.delete(client));
    if (this.mode === 'blackhole') {
      client.on('data', () => undefined);
      return;
    }
    const upstream = connect(this.targetPort, this.targetHost);
    this.pairs.add(upstream);
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
    upstream.once('close', () => {
      this.pairs.delete(upstream);
      client.destroy();
    });
    client.once('close', () => upstream.destroy());
    client.pipe(upstream);
    upstream.pipe(client);
    if (this.mode === 'stall') {
      client.pause();
      upstream.pause();
    }
  }

  private resetAll(): void {
    for (const socket of this.pairs) {
      if (!socket.destroyed) socket.resetAndDestroy();
    }
    this.pairs.clear();
  }
}
