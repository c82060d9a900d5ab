/** Loopback port helpers shared by `npm run dev` and the tests. */
import { createServer, connect } from 'node:net';

/** A TCP port that was free a moment ago on 127.0.0.1. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') {
    throw new Error('no port');
  }
  return address.port;
}

/** Whether something accepts connections on the port right now. */
export function isListening(port: number): Promise<boolean> {
  return new Promise<boolean>((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => socket.end(() => resolve(true)));
    socket.once('error', () => {
      socket.destroy();
      resolve(false);
    });
  });
}

/**
 * Resolves once something accepts connections on the port. `gone` may name a
 * reason to stop waiting early (the process that should listen has exited).
 */
export async function waitForPort(
  port: number,
  timeoutMs = 15_000,
  gone: () => string | undefined = () => undefined,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await isListening(port)) {
      return;
    }
    const reason = gone() ?? (Date.now() > deadline ? `after ${timeoutMs} ms` : undefined);
    if (reason !== undefined) {
      throw new Error(`nothing listens on port ${port} ${reason}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
