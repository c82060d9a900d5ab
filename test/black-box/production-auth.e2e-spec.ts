import { randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import type { CodeResponseDto } from '../../src/codes/dto/code-response.dto.js';
import { CODE_PATTERN } from '../../src/codes/code-format.js';
import { decodeMessage } from '../../src/queue/code-message.js';
import { type AppProcess, startAppProcess } from '../support/app-process.js';
import { drainQueue, uniqueQueueName } from '../support/azurite.js';
import { getCode } from '../support/get-code.js';
import { ProductionStack, SECRET_NAME, VAULT_URL } from '../support/production-stack.js';

const VAULT_RESOURCE = 'https://vault.azure.net';
const STORAGE_RESOURCE = 'https://storage.azure.com';
/** This file is about authentication; request limits have their own tests. */
const NO_RATE_LIMITS = { RATE_LIMIT_PER_CLIENT: '100000', RATE_LIMIT_GLOBAL: '100000' };

interface Answer {
  status: number;
  text: string;
}

/** What the run measured, for the record (test-output/ is not committed). */
function writeCounts(counts: object): void {
  mkdirSync('test-output', { recursive: true });
  writeFileSync('test-output/production-auth-counts.json', `${JSON.stringify(counts, null, 2)}\n`);
}

/** `total` GETs of /api/v1/getcode, `concurrency` at a time. */
async function getCodes(base: string, total: number, concurrency: number): Promise<Answer[]> {
  const answers: Answer[] = [];
  let next = 0;
  const worker = async () => {
    while (next < total) {
      next++;
      const { status, text } = await getCode(base);
      answers.push({ status, text });
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return answers;
}

describe('the production authentication path (node dist/main.js, managed identity, Key Vault, queue over Entra ID)', () => {
  let stack: ProductionStack;
  let app: AppProcess;
  let base: string;
  const queueName = uniqueQueueName();
  const keys: string[] = [];
  const bodies: string[] = [];
  const messages: string[] = [];

  beforeAll(async () => {
    stack = await ProductionStack.start();
    keys.push(stack.key);
    ({ app, base } = await startAppProcess((port) => stack.appEnvironment(port, queueName, NO_RATE_LIMITS)));
  }, 120_000);

  afterAll(async () => {
    await app?.stop('SIGKILL');
    if (stack) {
      writeCounts({
        keyVault: stack.vault.stats,
        tokenRequests: {
          keyVault: stack.identity.requestsFor(VAULT_RESOURCE).length,
          storage: stack.identity.requestsFor(STORAGE_RESOURCE).length,
        },
        proxyTunnels: stack.proxy.tunnels.length,
        thirdParty: stack.referenceApi.stats,
        queueMessages: messages.length,
      });
      await stack.stop();
    }
  }, 30_000);

  it('logs at start-up which identity reached Key Vault and the queue', () => {
    expect(app.stdout).toContain(
      `"msg":"Key Vault ${VAULT_URL}: secret \\"${SECRET_NAME}\\" is readable as system-assigned managed identity app-e2e`,
    );
    expect(app.stdout).toMatch(
      /"msg":"Storage queue \\"e2e-[0-9a-f]+\\" at devstoreaccount1: reachable with a token as system-assigned managed identity app-e2e .*; queue created"/,
    );
    expect(stack.proxy.tunnels.length).toBeGreaterThan(0); // Key Vault really went through the vault host name
    expect(stack.proxy.refused).toEqual([]);
  });

  it('serves codes, each with its message on the queue, with one Key Vault read and one token per resource', async () => {
    const answers = await getCodes(base, 200, 20);
    bodies.push(...answers.map((answer) => answer.text));
    expect(answers.map((answer) => answer.status)).toEqual(Array(200).fill(200));
    const codes = answers.map((answer) => (JSON.parse(answer.text) as CodeResponseDto).code);
    codes.forEach((code) => expect(code).toMatch(CODE_PATTERN));

    const onQueue = await drainQueue(stack.queue(queueName));
    messages.push(...onQueue);
    expect(onQueue.map((text) => decodeMessage(text).code).sort()).toEqual([...codes].sort());

    expect(stack.vault.stats.secretReads).toBe(1);
    expect(stack.identity.requestsFor(VAULT_RESOURCE)).toHaveLength(1);
    expect(stack.identity.requestsFor(STORAGE_RESOURCE)).toHaveLength(1);
    expect(stack.identity.requests.every((request) => request.apiVersion === '2019-08-01')).toBe(true);
  });

  it('picks up a key rotated in Key Vault without a failed request: one re-read, one retry', async () => {
    const readsBefore = stack.vault.stats.secretReads;
    const calls = { ...stack.referenceApi.stats };
    keys.push(stack.rotateKey());

    const answers = await getCodes(base, 60, 10);
    bodies.push(...answers.map((answer) => answer.text));
    expect(answers.map((answer) => answer.status)).toEqual(Array(60).fill(200));
    expect(stack.vault.stats.secretReads - readsBefore).toBe(1);

    const requests = stack.referenceApi.stats.requests - calls.requests;
    const rejected = requests - (stack.referenceApi.stats.accepted - calls.accepted);
    expect(rejected).toBeGreaterThanOrEqual(1);
    expect(rejected).toBeLessThanOrEqual(10); // at most the requests in flight when the key changed
    expect(requests).toBe(60 + rejected); // each rejected call was retried exactly once
    messages.push(...(await drainQueue(stack.queue(queueName))));
    expect(messages).toHaveLength(260);
  });

  it('is ready, and answering readiness costs no Key Vault read, token request or third-party call', async () => {
    const before = {
      reads: stack.vault.stats.secretReads,
      tokens: stack.identity.requests.length,
      calls: stack.referenceApi.stats.requests,
    };
    for (let i = 0; i < 20; i++) {
      const res = await fetch(`${base}/health/ready`);
      expect(res.status).toBe(200);
      bodies.push(await res.text());
    }
    // Both scopes got their token: the credential indicator is up on the production path (status only, no scopes).
    expect(JSON.parse(bodies.at(-1) ?? '{}')).toMatchObject({
      status: 'ok',
      details: { secret: { status: 'up' }, queue: { status: 'up' }, credential: { status: 'up' } },
    });
    expect(new Set(stack.identity.requests.map((request) => request.resource))).toEqual(
      new Set([VAULT_RESOURCE, STORAGE_RESOURCE]),
    );
    expect(stack.vault.stats.secretReads).toBe(before.reads);
    expect(stack.identity.requests).toHaveLength(before.tokens);
    expect(stack.referenceApi.stats.requests).toBe(before.calls);
  });

  it('never shows a key: not in its output, a response or a queue message', () => {
    const decoded = messages.map((text) => JSON.stringify(decodeMessage(text)));
    for (const key of keys) {
      for (const text of [app.stdout, app.stderr, ...bodies, ...messages, ...decoded]) {
        expect(text).not.toContain(key);
      }
    }
  });

  it('asks for tokens with the client id of a user-assigned identity when AZURE_CLIENT_ID is set', async () => {
    const clientId = randomUUID();
    const seen = stack.identity.requests.length;
    const { app: second, base: secondBase } = await startAppProcess((port) =>
      stack.appEnvironment(port, uniqueQueueName(), { ...NO_RATE_LIMITS, AZURE_CLIENT_ID: clientId }),
    );
    try {
      const answers = await getCodes(secondBase, 5, 5);
      expect(answers.map((answer) => answer.status)).toEqual(Array(5).fill(200));
      const requests = stack.identity.requests.slice(seen);
      expect(requests.map((request) => request.resource).sort()).toEqual([STORAGE_RESOURCE, VAULT_RESOURCE]);
      expect(requests.map((request) => request.clientId)).toEqual([clientId, clientId]);
      expect(second.stdout).toContain(`user-assigned managed identity id-e2e (client id ${clientId})`);
    } finally {
      await second.stop('SIGKILL');
    }
  }, 60_000);
});
