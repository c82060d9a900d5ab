import { type AddressInfo, connect, createServer, type Server, type Socket } from 'node:net';

/**
 * What the network between the app and a dependency does:
 * - `pass`: forwards bytes both ways;
 * - `refuse`: nothing listens on the port (connection refused);
 * - `hang`: accepts connections and never answers;
 * - `{ delayMs }`: forwards every chunk, both ways, that much later (a slow link);
 * - `stall-body`: forwards each answer's status line, headers and first body byte, then nothing more.
 */
export type TcpFault = 'pass' | 'refuse' | 'hang' | { delayMs: number } | 'stall-body';

/**
 * A loopback TCP proxy in front of one port that injects network faults.
 * A new fault applies to connections opened after it is set: connections
 * open at that moment are dropped, as when a link fails, so kept-alive
 * sockets cannot bypass it.
 */
export class TcpFaultProxy {
  /** Connections accepted (and, unless hanging, forwarded). */
  connections = 0;
  private fault: TcpFault = 'pass';
  private server?: Server;
  private port = 0;
  private readonly sockets = new Set<Socket>();

  constructor(private readonly targetPort: number) {}

  /** Listens (on `port`, or a free one) and resolves the port. */
  async start(port = 0): Promise<number> {
    const server = createServer((client) => this.accept(client));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', resolve);
    });
    this.server = server;
    this.port = (server.address() as AddressInfo).port;
    return this.port;
  }

  async inject(fault: TcpFault): Promise<void> {
    this.fault = fault;
    this.dropConnections();
    if (fault === 'refuse' && this.server) {
      await this.close();
    } else if (fault !== 'refuse' && !this.server) {
      await this.start(this.port);
    }
  }

  async stop(): Promise<void> {
    this.dropConnections();
    await this.close();
  }

  private async close(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  }

  private dropConnections(): void {
    for (const socket of this.sockets) {
      socket.destroy();
    }
    this.sockets.clear();
  }

  private track(socket: Socket): void {
    this.sockets.add(socket);
    socket.on('error', () => socket.destroy());
    socket.once('close', () => this.sockets.delete(socket));
  }

  private accept(client: Socket): void {
    this.connections++;
    this.track(client);
    const fault = this.fault;
    if (fault === 'hang') {
      client.resume(); // read and discard, answer nothing
      return;
    }
    const upstream = connect(this.targetPort, '127.0.0.1');
    this.track(upstream);
    client.once('close', () => upstream.destroy());
    upstream.once('close', () => client.destroy());
    const delayMs = typeof fault === 'object' ? fault.delayMs : 0;
    forward(client, upstream, delayMs);
    if (fault === 'stall-body') {
      stallEachBody(upstream, client);
    } else {
      forward(upstream, client, delayMs);
    }
  }
}

function forward(from: Socket, to: Socket, delayMs: number): void {
  from.on('data', (chunk: Buffer) => {
    if (delayMs > 0) {
      // Same delay for every chunk: timers fire in order, so the byte stream stays in order.
      setTimeout(() => to.writable && to.write(chunk), delayMs);
    } else {
      to.write(chunk);
    }
  });
  from.once('end', () => setTimeout(() => to.end(), delayMs));
}

/** Forwards the answer up to its first body byte, then holds the rest back for good. */
function stallEachBody(upstream: Socket, client: Socket): void {
  let head = Buffer.alloc(0);
  let stalled = false;
  upstream.on('data', (chunk: Buffer) => {
    if (stalled) {
      return;
    }
    head = Buffer.concat([head, chunk]);
    const end = head.indexOf('\r\n\r\n');
    if (end >= 0 && head.length > end + 4) {
      client.write(head.subarray(0, end + 5));
      stalled = true;
    }
  });
}
