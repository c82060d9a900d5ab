import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { QueueClient } from '@azure/storage-queue';
import { freePort, waitForPort } from '../../scripts/ports.js';
import { followChild } from './child-processes.js';

/** Azurite's published development account (not a secret: it is the same for every Azurite). */
const ACCOUNT = 'devstoreaccount1';
const ACCOUNT_KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

export interface AzuriteOptions {
  /** Listen here instead of on a free port. */
  port?: number;
  /** HTTPS with this certificate, and Microsoft Entra ID (bearer token) authentication. */
  tls?: { certPath: string; keyPath: string };
}

/** The real Storage queue emulator, in memory, on a loopback port. */
export class Azurite {
  private constructor(
    readonly port: number,
    readonly protocol: 'http' | 'https',
    private readonly child: ChildProcess,
    private readonly gone: Promise<void>,
  ) {}

  static async start(options: AzuriteOptions = {}): Promise<Azurite> {
    const port = options.port ?? (await freePort());
    const args = ['--inMemoryPersistence', '--skipApiVersionCheck', '--loose', '--disableTelemetry', '--silent'];
    args.push('--queueHost', '127.0.0.1', '--queuePort', String(port));
    if (options.tls) {
      args.push('--cert', options.tls.certPath, '--key', options.tls.keyPath, '--oauth', 'basic');
    }
    const child = spawn('node_modules/.bin/azurite-queue', args, { stdio: 'ignore' });
    const gone = followChild(child);
    let ended = false;
    void gone.then(() => (ended = true));
    try {
      await waitForPort(port, 15_000, () => (ended ? '(azurite-queue ended before it listened)' : undefined));
    } catch (error) {
      child.kill('SIGKILL');
      await gone;
      throw error;
    }
    return new Azurite(port, options.tls ? 'https' : 'http', child, gone);
  }

  static connectionString(port: number, protocol = 'http'): string {
    return (
      `DefaultEndpointsProtocol=${protocol};AccountName=${ACCOUNT};AccountKey=${ACCOUNT_KEY};` +
      `QueueEndpoint=${protocol}://127.0.0.1:${port}/${ACCOUNT};`
    );
  }

  get connectionString(): string {
    return Azurite.connectionString(this.port, this.protocol);
  }

  /** The queue's URL, as STORAGE_QUEUE_URL takes it (IP-style: the account is the first path segment). */
  queueUrl(name: string): string {
    return `${this.protocol}://127.0.0.1:${this.port}/${ACCOUNT}/${name}`;
  }

  async stop(): Promise<void> {
    this.child.kill('SIGKILL');
    await this.gone;
  }
}

/** Every message on the queue (received, so each is read once), decoded from base64. */
export async function drainQueue(queue: QueueClient): Promise<string[]> {
  const texts: string[] = [];
  for (;;) {
    const { receivedMessageItems } = await queue.receiveMessages({ numberOfMessages: 32, visibilityTimeout: 300 });
    if (receivedMessageItems.length === 0) {
      return texts;
    }
    texts.push(...receivedMessageItems.map((item) => item.messageText));
  }
}

/** A unique queue name, so tests sharing one Azurite never see each other's messages. */
export function uniqueQueueName(): string {
  return `e2e-${randomBytes(6).toString('hex')}`;
}

/** A client of a queue in `azurite`, to read back what an app wrote. */
export function sharedQueueClient(azurite: Pick<Azurite, 'connectionString'>, name: string): QueueClient {
  return new QueueClient(azurite.connectionString, name);
}
