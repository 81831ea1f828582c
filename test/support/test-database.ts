import { randomBytes } from 'node:crypto';
import { Client } from 'pg';

/** The PostgreSQL server the e2e tests use when one is configured; otherwise they embed one. */
export function serverUrl(): string | undefined {
  return process.env.TEST_DATABASE_URL || process.env.DATABASE_URL || undefined;
}

export interface IsolatedDatabase {
  /** Connection URL of a fresh, empty database; undefined = embedded in memory. */
  url?: string;
  drop(): Promise<void>;
}

/** Each suite gets a database of its own, so tests never see each other's rows. */
export async function createIsolatedDatabase(): Promise<IsolatedDatabase> {
  const server = serverUrl();
  if (!server) return { url: undefined, drop: async () => undefined };
  const name = `sen_e2e_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
  await withClient(server, (client) => client.query(`CREATE DATABASE "${name}"`));
  const url = new URL(server);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: () => withClient(server, (client) => client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)).then(() => undefined),
  };
}

async function withClient<T>(url: string, work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}
