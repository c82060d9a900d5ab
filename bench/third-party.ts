/**
 * The third party for `npm run bench`, in its own process so it does not share the load generator's event loop:
 * `GET /delay/<ms>/api/RandomNumber` with `x-functions-key: $THIRD_PARTY_KEY` answers `{"value": 1..1000}` after
 * <ms> milliseconds; another key gets 401. Prints its port on stdout once it listens.
 */
import { randomInt } from 'node:crypto';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

const key = process.env.THIRD_PARTY_KEY ?? '';

function send(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(body),
  });
  res.end(body);
}

const server = createServer((req, res) => {
  const delay = /^\/delay\/(\d+)\/api\/RandomNumber$/.exec(req.url ?? '');
  if (!delay) {
    return send(res, 404, '{"error":"not found"}');
  }
  if (key === '' || req.headers['x-functions-key'] !== key) {
    return send(res, 401, '{"error":"missing or invalid x-functions-key"}');
  }
  const ms = Number(delay[1]);
  const answer = () => send(res, 200, `{"value":${randomInt(1, 1001)}}`);
  if (ms > 0) {
    setTimeout(answer, ms);
  } else {
    answer();
  }
});
server.keepAliveTimeout = 65_000;
server.listen(0, '127.0.0.1', () => process.stdout.write(`${(server.address() as AddressInfo).port}\n`));
process.once('SIGTERM', () => process.exit(0));
