import { type AddressInfo, type Server, type Socket, connect } from 'node:net';

/**
 * How long a new connection waits in the kernel's accept queue before the app takes it: the one backlog the app
 * cannot count, because libuv accepts one connection per event-loop iteration on each listening socket, so a busy
 * loop accepts no faster than it iterates. Measured by connecting to the server itself (one connection at a time,
 * closed once accepted, on whichever of its listening sockets the kernel puts it).
 */
export class AcceptProbe {
  private probe?: { socket: Socket; port?: number; startedAt: number };
  private lastDelayMs = 0;

  constructor(private readonly server: Server) {
    server.on('connection', (socket: Socket) => {
      if (this.probe && socket.remotePort === this.probe.port) {
        this.lastDelayMs = performance.now() - this.probe.startedAt;
        this.probe.socket.destroy();
        socket.destroy();
        this.probe = undefined;
      }
    });
  }

  /** The wait of the last probe accepted, or of the one still waiting if it has waited longer. */
  delayMs(): number {
    return this.probe ? Math.max(this.lastDelayMs, performance.now() - this.probe.startedAt) : this.lastDelayMs;
  }

  /** An idle loop accepts at once: the last measurement no longer holds. */
  forget(): void {
    this.lastDelayMs = 0;
  }

  /** Sends a probe unless one is waiting or the server is not listening. */
  send(): void {
    const address = this.server.address() as AddressInfo | null;
    if (this.probe || !address) {
      return;
    }
    const wildcard = address.address === '::' || address.address === '0.0.0.0';
    const socket = connect({ port: address.port, host: wildcard ? '127.0.0.1' : address.address });
    const probe: { socket: Socket; port?: number; startedAt: number } = { socket, startedAt: performance.now() };
    this.probe = probe;
    socket.on('error', () => {
      if (this.probe === probe) {
        this.probe = undefined;
      }
    });
    // Node connects to an IP address on the next tick; then the kernel has chosen the local port.
    process.nextTick(() => {
      probe.port = socket.localPort;
    });
  }
}
