import { once } from 'node:events';
import { Agent, createServer, get, type Server } from 'node:http';
import { connect, type Server as NetServer, type Socket } from 'node:net';
import { ACCEPTORS, addAcceptors, assertPortFree } from './acceptors.js';

const listenShared = async (server: NetServer, port = 0): Promise<number> => {
  server.listen({ port, reusePort: true });
  await once(server, 'listening');
  return (server.address() as { port: number }).port;
};

/** Resolves once `server` has closed, or at once if it was closed already. */
const close = (server: NetServer) => new Promise((resolve) => server.close(resolve));

describe('acceptors: more sockets listening on the app’s port', () => {
  let server: Server;
  let acceptors: NetServer[];
  let port: number;

  beforeEach(async () => {
    server = createServer((_req, res) => res.end('ok'));
    port = await listenShared(server);
    acceptors = await addAcceptors(server, 511);
  });

  afterEach(async () => {
    server.closeAllConnections();
    await Promise.all([server, ...acceptors].map(close));
  });

  it('lets a busy event loop accept a connection on each of them per iteration, not one in all', async () => {
    let accepted = 0;
    server.on('connection', () => accepted++);
    const clients: Socket[] = Array.from({ length: 4 * ACCEPTORS }, () => connect(port, '127.0.0.1'));
    // The loop is busy while the kernel completes every handshake; then one iteration runs before the immediate.
    const inFirstIteration = await new Promise<number>((resolve) =>
      setTimeout(() => {
        const busyUntil = Date.now() + 200;
        while (Date.now() < busyUntil) {
          // busy
        }
        setImmediate(() => resolve(accepted));
      }),
    );
    clients.forEach((client) => client.destroy());

    // The kernel spreads connections by a hash of their addresses: a socket or two may get none of them.
    expect(inFirstIteration).toBeGreaterThanOrEqual(ACCEPTORS - 4);
    expect(inFirstIteration).toBeLessThanOrEqual(ACCEPTORS);
  });

  it('hands what they accept to the server, which answers it and closes it when idle', async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 4 * ACCEPTORS });
    const sockets: Socket[] = [];
    agent.on('free', (socket: Socket) => sockets.push(socket));
    const bodies = await Promise.all(
      Array.from(
        { length: 4 * ACCEPTORS },
        () =>
          new Promise<string>((resolve, reject) =>
            get(`http://127.0.0.1:${port}/`, { agent }, (res) => {
              let body = '';
              res.on('data', (chunk: Buffer) => (body += chunk.toString()));
              res.on('end', () => resolve(body));
            }).on('error', reject),
          ),
      ),
    );
    expect(new Set(bodies)).toEqual(new Set(['ok']));
    expect(new Set(sockets).size).toBe(4 * ACCEPTORS);

    // As a graceful shutdown closes kept-alive connections: the server tracks those its acceptors accepted too.
    const closed = Promise.all(sockets.map((socket) => once(socket, 'close')));
    server.closeIdleConnections();
    await closed;
    // Nothing is left open for the acceptors to wait for, and once they are closed nothing listens on the port.
    await Promise.all([server, ...acceptors].map(close));
    const refused = connect(port, '127.0.0.1');
    await expect(once(refused, 'connect')).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    agent.destroy();
  });
});

describe('assertPortFree', () => {
  it('fails as a plain listen does when a copy of the app shares the port already', async () => {
    const other = createServer();
    const port = await listenShared(other);
    try {
      await expect(assertPortFree(port)).rejects.toMatchObject({ code: 'EADDRINUSE' });
    } finally {
      await close(other);
    }
  });

  it('leaves a free port free', async () => {
    const probe = createServer();
    const port = await listenShared(probe);
    await close(probe);

    await assertPortFree(port);
    const server = createServer();
    expect(await listenShared(server, port)).toBe(port);
    await close(server);
  });
});
