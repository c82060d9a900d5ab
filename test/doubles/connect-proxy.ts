import { createServer, type Server } from 'node:http';
import { type AddressInfo, connect } from 'node:net';
import type { Duplex } from 'node:stream';

/**
 * An HTTPS (CONNECT) proxy that routes named hosts to loopback ports and
 * refuses everything else, so a real-looking `https://<name>.vault.azure.net/`
 * reaches the Key Vault double with the app's production configuration
 * untouched (the SDK honours HTTPS_PROXY / NO_PROXY), and no request leaves
 * the machine.
 */
export class ConnectProxy {
  readonly tunnels: string[] = [];
  readonly refused: string[] = [];
  private readonly sockets = new Set<Duplex>();
  private readonly server: Server = createServer((_req, res) => res.writeHead(405).end());

  constructor(private readonly routes: Record<string, number>) {
    this.server.on('connect', (req, client) => {
      const target = req.url ?? '';
      const port = this.routes[target];
      if (port === undefined) {
        this.refused.push(target);
        client.end('HTTP/1.1 403 Forbidden\r\n\r\n');
        return;
      }
      this.tunnels.push(target);
      const upstream = connect(port, '127.0.0.1', () => {
        this.track(client);
        this.track(upstream);
        client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
        upstream.pipe(client);
        client.pipe(upstream);
      });
      upstream.on('error', () => client.destroy());
      client.on('error', () => upstream.destroy());
    });
  }

  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  private track(socket: Duplex): void {
    this.sockets.add(socket);
    socket.once('close', () => this.sockets.delete(socket));
  }

  stop(): Promise<void> {
    // Tunnels leave the HTTP server's bookkeeping once established: end them here.
    for (const socket of this.sockets) {
      socket.destroy();
    }
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
