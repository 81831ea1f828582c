/**
 * The baselines of `npm run bench` (issue 9 part 4), each a child process of the bench like the app:
 *
 *   FLOOR=http  a bare node:http server answering every request with one constant JSON body
 *               (FLOOR_BODY, the size of the app's pupil-by-id response): the HTTP floor.
 *   FLOOR=pg    a bare node:http + pg server answering GET /pupils/<id> with one SELECT of that
 *               pupil by primary key (with its school's name, as the app's view has): the raw floor
 *               of a database read.
 *
 * Prints "listening <port>" when ready.
 */
import { createServer, type ServerResponse } from 'node:http';
import { Pool } from 'pg';

const mode = process.env.FLOOR;
const json = (res: ServerResponse, status: number, body: string) => {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body) });
  res.end(body);
};

function main(): void {
  let handler: (url: string, res: ServerResponse) => void;
  if (mode === 'http') {
    const body = process.env.FLOOR_BODY ?? '{}';
    handler = (_url, res) => json(res, 200, body);
  } else if (mode === 'pg') {
    const pool = new Pool({ connectionString: process.env.FLOOR_DATABASE_URL, max: Number(process.env.FLOOR_POOL_SIZE ?? 10) });
    handler = (url, res) => {
      const id = url.split('/').pop();
      pool
        .query(
          `SELECT p.id, p.upn, p.first_name, p.last_name, p.date_of_birth::text, p.year_offset, p.sen_status, p.primary_need,
                  p.secondary_need, p.school_id, s.name AS school_name, p.left_on::text, p.version
             FROM pupil p JOIN school s ON s.id = p.school_id WHERE p.id = $1`,
          [id],
        )
        .then(({ rows }) => (rows[0] ? json(res, 200, JSON.stringify(rows[0])) : json(res, 404, '{"status":404}')))
        .catch(() => json(res, 500, '{"status":500}'));
    };
  } else {
    throw new Error('FLOOR must be http or pg');
  }
  const server = createServer((req, res) => handler(req.url ?? '/', res));
  server.keepAliveTimeout = 60_000;
  server.listen(0, '127.0.0.1', () => {
    const address = server.address();
    process.stdout.write(`listening ${typeof address === 'object' && address ? address.port : 0}\n`);
  });
  process.once('SIGTERM', () => server.close(() => process.exit(0)));
}

main();
