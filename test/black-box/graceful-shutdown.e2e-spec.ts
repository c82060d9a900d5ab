import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Agent, request as httpRequest } from 'node:http';
import { ACCEPTORS } from '../../src/acceptors.js';
import type { CodeResponseDto } from '../../src/codes/dto/code-response.dto.js';
import { decodeMessage } from '../../src/queue/code-message.js';
import { waitForPort } from '../../scripts/ports.js';
import { ScriptedHttpServer } from '../doubles/scripted-http-server.js';
import { startLocalAppProcess } from '../support/app-process.js';
import { Azurite, drainQueue, sharedQueueClient } from '../support/azurite.js';
import { sleep } from '../support/sleep.js';

const KEY = `gs-key-${randomBytes(12).toString('hex')}`;

/** GET over a given keep-alive agent, so a test can use a connection opened before the shutdown began. */
function get(url: string, agent: Agent): Promise<{ status: number; body: string; keepAlive?: string | string[] }> {
  return new Promise((resolve, reject) => {
    httpRequest(url, { agent }, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, keepAlive: res.headers['keep-alive'] }));
    })
      .on('error', reject)
      .end();
  });
}

/** How many sockets listen on `port` (the kernel's socket tables; state 0A is LISTEN). */
function listeningSockets(port: number): number {
  const local = `:${port.toString(16).toUpperCase().padStart(4, '0')}`;
  return ['/proc/net/tcp', '/proc/net/tcp6']
    .flatMap((table) => readFileSync(table, 'utf8').split('\n').slice(1))
    .map((line) => line.trim().split(/\s+/))
    .filter(([, address, , state]) => address?.endsWith(local) && state === '0A').length;
}

/**
 * SIGTERM as App Service sends it, against the production build: requests
 * already in flight finish (and their codes are on the queue), new
 * connections are refused, and the process exits 0; a request that outlives
 * the grace period is cut. (Readiness during the drain: health.e2e-spec.ts.)
 */
describe('graceful shutdown (node dist/main.js)', () => {
  let azurite: Azurite;
  let upstream: ScriptedHttpServer;
  let endpoint: string;

  beforeAll(async () => {
    azurite = await Azurite.start();
    upstream = new ScriptedHttpServer();
    endpoint = await upstream.start();
  }, 120_000);

  afterAll(async () => {
    await upstream?.stop();
    await azurite?.stop();
  });

  const startApp = (graceSeconds: number) =>
    startLocalAppProcess(
      { connectionString: azurite.connectionString, endpoint, key: KEY },
      { SHUTDOWN_GRACE_PERIOD_SECONDS: String(graceSeconds) },
    );

  it("keeps an idle keep-alive connection open past Node's 5 s default, for the front end to reuse", async () => {
    const { app, base } = await startApp(10);
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const sockets: unknown[] = [];
    agent.on('free', (socket) => sockets.push(socket));
    const first = await get(`${base}/health/live`, agent);
    expect(first.status).toBe(200);
    // What it promises: longer than the 240 s after which App Service's front end drops an idle connection itself.
    expect(first.keepAlive).toBe('timeout=245');
    await sleep(6_000);
    expect((await get(`${base}/health/live`, agent)).status).toBe(200);
    // Both requests went over one connection: the server did not close it while idle.
    expect(new Set(sockets).size).toBe(1);
    agent.destroy();
    expect(await app.stop('SIGTERM')).toBe(0);
  }, 30_000);

  it('finishes in-flight requests, refuses new connections, and exits 0', async () => {
    const { app, port, base, queueName } = await startApp(10);
    // On Linux the app listens with several sockets (src/acceptors.ts): each of them must stop listening.
    expect(listeningSockets(port)).toBe(ACCEPTORS);
    const agent = new Agent({ keepAlive: true, maxSockets: 4 });
    expect((await get(`${base}/health/ready`, agent)).status).toBe(200); // opens a kept-alive connection

    upstream.answerWith({ status: 200, body: '{"value": 7}', delayMs: 1_500 });
    const inFlight = [get(`${base}/api/v1/getcode`, agent), get(`${base}/api/v1/getcode`, agent)];
    await sleep(300);
    const started = Date.now();
    void app.stop('SIGTERM');
    await sleep(300);

    await expect(waitForPort(port, 200)).rejects.toThrow(/nothing listens/); // no new connections
    expect(listeningSockets(port)).toBe(0);
    const answers = await Promise.all(inFlight);
    expect(answers.map((answer) => answer.status)).toEqual([200, 200]);
    expect(await app.exited).toBe(0);
    expect(Date.now() - started).toBeLessThan(10_000);

    const codes = answers.map((answer) => (JSON.parse(answer.body) as CodeResponseDto).code).sort();
    const messages = await drainQueue(sharedQueueClient(azurite, queueName));
    expect(messages.map((text) => decodeMessage(text).code).sort()).toEqual(codes);
    expect(app.stdout).toMatch(/All in-flight requests finished/);
    agent.destroy();
  }, 30_000);

  it('cuts requests that outlive the grace period, and still exits 0 in time', async () => {
    const { app, base } = await startApp(1);
    upstream.answerWith('hang');
    const hanging = get(`${base}/api/v1/getcode`, new Agent()).catch((error: Error) => error);
    await sleep(300);
    const started = Date.now();
    expect(await app.stop('SIGTERM')).toBe(0);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(await hanging).toMatchObject({ message: expect.stringMatching(/socket hang up|ECONNRESET/) as string });
    expect(app.stdout).toMatch(/In-flight requests still open after 1000 ms/);
  }, 30_000);
});
