import type { Server } from 'node:http';
import type { Server as NetServer } from 'node:net';
import { Injectable, type INestApplication, Logger } from '@nestjs/common';

/** Whether the process is draining: readiness reports not-ready from the first moment of a shutdown. */
@Injectable()
export class ShutdownState {
  draining = false;
}

/**
 * Graceful shutdown, as App Service stops a container: not ready, no new connections (on the server's socket and on
 * `acceptors`, whose connections it serves), in-flight requests finish for at most `graceMs`, then Nest's shutdown
 * hooks. Resolves true when every request finished in time.
 */
export async function drainAndClose(
  app: INestApplication,
  graceMs: number,
  acceptors: NetServer[] = [],
): Promise<boolean> {
  const logger = new Logger('Shutdown');
  app.get(ShutdownState).draining = true;
  const server = app.getHttpServer() as Server;
  const closed = Promise.all(
    [server, ...acceptors].map((listener) => new Promise<void>((resolve) => listener.close(() => resolve()))),
  );
  // Kept-alive connections (server.ts keeps them for minutes) close as soon as their last request has ended.
  const idle = setInterval(() => server.closeIdleConnections(), 100);
  server.closeIdleConnections();

  let timer: NodeJS.Timeout | undefined;
  const graceOver = new Promise<'grace over'>((resolve) => (timer = setTimeout(() => resolve('grace over'), graceMs)));
  const outcome = await Promise.race([closed.then(() => 'drained' as const), graceOver]);
  clearTimeout(timer);
  clearInterval(idle);
  if (outcome === 'grace over') {
    logger.warn(`In-flight requests still open after ${graceMs} ms (SHUTDOWN_GRACE_PERIOD_SECONDS): closing them`);
    server.closeAllConnections();
  } else {
    logger.log('All in-flight requests finished');
  }
  await app.close();
  return outcome === 'drained';
}
