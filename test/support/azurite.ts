import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import type { QueueClient } from '@azure/storage-queue';
import { freePort, waitForPort } from '../../scripts/ports.js';

/** Azurite's published development account (not a secret: it is the same for every Azurite). */
const ACCOUNT = 'devstoreaccount1';
const ACCOUNT_KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

/** The real Storage queue emulator, in memory, on a free loopback port. */
export class Azurite {
  private constructor(
    readonly port: number,
    private readonly child: ChildProcess,
  ) {}

  static async start(port?: number): Promise<Azurite> {
    const queuePort = port ?? (await freePort());
    const child = spawn(
      'node_modules/.bin/azurite-queue',
      [
        '--inMemoryPersistence',
        '--skipApiVersionCheck',
        '--loose',
        '--disableTelemetry',
        '--silent',
        '--queueHost',
        '127.0.0.1',
        '--queuePort',
        String(queuePort),
      ],
      { stdio: 'ignore' },
    );
    await waitForPort(queuePort);
    return new Azurite(queuePort, child);
  }

  static connectionString(port: number): string {
    return (
      `DefaultEndpointsProtocol=http;AccountName=${ACCOUNT};AccountKey=${ACCOUNT_KEY};` +
      `QueueEndpoint=http://127.0.0.1:${port}/${ACCOUNT};`
    );
  }

  get connectionString(): string {
    return Azurite.connectionString(this.port);
  }

  async stop(): Promise<void> {
    if (this.child.exitCode === null) {
      this.child.kill('SIGKILL');
      await once(this.child, 'exit');
    }
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
