// Replication lag, measured: on the primary a transaction that writes only its commit record
// (txid_current(): no table is touched), then the standby is polled over an open connection until
// it has replayed that WAL position. Prints the median and the worst of N probes.
// Usage: node scripts/replica-lag.mjs <primary-url> <standby-url> [probes=20]
import pg from 'pg';

const [primaryUrl, standbyUrl, probes = '20'] = process.argv.slice(2);
if (!primaryUrl || !standbyUrl) {
  console.error('usage: node scripts/replica-lag.mjs <primary-url> <standby-url> [probes]');
  process.exit(64);
}
const primary = new pg.Client({ connectionString: primaryUrl, application_name: 'replica-lag' });
const standby = new pg.Client({ connectionString: standbyUrl, application_name: 'replica-lag' });
await Promise.all([primary.connect(), standby.connect()]);
const lags = [];
for (let i = 0; i < Number(probes); i += 1) {
  await primary.query('SELECT txid_current()');
  const { rows: [{ lsn }] } = await primary.query('SELECT pg_current_wal_flush_lsn()::text AS lsn');
  const committed = performance.now();
  for (;;) {
    const { rows: [{ replayed }] } = await standby.query('SELECT pg_last_wal_replay_lsn() >= $1::pg_lsn AS replayed', [lsn]);
    if (replayed) break;
    if (performance.now() - committed > 30_000) throw new Error(`the standby has not replayed ${lsn} within 30 s`);
  }
  lags.push(performance.now() - committed);
}
lags.sort((a, b) => a - b);
console.log(`replication lag over ${lags.length} commits: median ${lags[Math.floor(lags.length / 2)].toFixed(1)} ms, worst ${lags.at(-1).toFixed(1)} ms, best ${lags[0].toFixed(1)} ms`);
await Promise.all([primary.end(), standby.end()]);
