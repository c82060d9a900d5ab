import type { Server } from 'node:http';
import { createServer, type ListenOptions, type Server as NetServer } from 'node:net';

/**
 * Listening sockets on the app's port. libuv accepts one connection per event-loop iteration on each listening
 * socket, and a saturated loop iterates every 20-50 ms: with one socket, a surge's new connections (App Service's
 * front end opens more as its pooled ones stay busy) wait seconds in the kernel's queue before the app can even refuse
 * them (docs/resilience.md). The kernel spreads new connections over all of them.
 */
export const ACCEPTORS = 16;

/** Whether several sockets can listen on one port (SO_REUSEPORT): on Linux, where App Service runs containers. */
export const SHARED_PORT = process.platform === 'linux';

const listening = (server: NetServer, options: ListenOptions) =>
  new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options, () => {
      server.off('error', reject);
      resolve();
    });
  });

/**
 * Fails with EADDRINUSE, as a plain listen does, when something listens on `port` already: a socket that shares the
 * port would otherwise silently split the traffic with a second copy of the app.
 */
export async function assertPortFree(port: number): Promise<void> {
  const probe = createServer();
  await listening(probe, { port });
  await new Promise((resolve) => probe.close(resolve));
}

/**
 * Opens `ACCEPTORS - 1` more sockets on the port `server` listens on (with `reusePort`), each handing the connections
 * it accepts to `server`. `server.close()` does not wait for those connections: close these as well and wait for them.
 */
export async function addAcceptors(server: Server, backlog: number): Promise<NetServer[]> {
  const { port } = server.address() as { port: number };
  const acceptors: NetServer[] = [];
  for (let i = 1; i < ACCEPTORS; i++) {
    // As http.Server sets up the sockets it accepts itself: Nagle off.
    const acceptor = createServer({ noDelay: true }, (socket) => server.emit('connection', socket));
    await listening(acceptor, { port, backlog, reusePort: true });
    acceptors.push(acceptor);
  }
  return acceptors;
}
