import { randomBytes } from 'node:crypto';
import request from 'supertest';
import { ReferenceApi } from '../../reference-api/main.js';
import { freePort } from '../../scripts/ports.js';
import { ShutdownState } from '../../src/health/shutdown.js';
import { Azurite } from '../support/azurite.js';
import { type TestApp, startTestApp } from '../support/test-app.js';
import { getCode } from '../support/get-code.js';

const KEY = `hl-key-${randomBytes(12).toString('hex')}`;

describe('health endpoints', () => {
  let referenceApi: ReferenceApi;
  let target: TestApp;
  let queuePort: number;
  let azurite: Azurite;

  beforeAll(async () => {
    referenceApi = new ReferenceApi([KEY]);
    queuePort = await freePort();
    azurite = await Azurite.start({ port: queuePort });
    target = await startTestApp(
      azurite,
      { THIRD_PARTY_API_ENDPOINT: await referenceApi.listen(), THIRD_PARTY_API_KEY: KEY },
      { queue: { maxTries: 1 } },
    );
  });

  afterAll(async () => {
    await target?.close();
    await referenceApi.close();
    await azurite?.stop();
  });

  it('reports live without looking at dependencies', async () => {
    const res = await request(target.server).get('/health/live');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ok', info: {}, error: {}, details: {} });
  });

  it('reports ready when the key is cached and the queue takes writes, without calling the third party', async () => {
    const calls = referenceApi.stats.requests;
    const res = await request(target.server).get('/health/ready');
    expect(res.status).toBe(200);
    const up = { status: 'up' };
    const entries = {
      process: up,
      secret: up,
      queue: up,
      credential: up,
    };
    expect(res.body).toEqual({ status: 'ok', info: entries, error: {}, details: entries });
    expect(JSON.stringify(res.body)).not.toContain(KEY);
    expect(referenceApi.stats.requests).toBe(calls);
  });

  it('reports not ready (503) after a failed queue write, and ready again once a write succeeds', async () => {
    await azurite.stop();
    expect((await getCode(target.server)).status).toBe(503);

    const down = await request(target.server).get('/health/ready');
    expect(down.status).toBe(503);
    expect(down.body).toMatchObject({ status: 'error', error: { queue: { status: 'down' } } });
    expect(JSON.stringify(down.body)).not.toMatch(/ECONNREFUSED|"detail"|devstoreaccount1/);
    const downLines = target.logs.entries().filter((entry) => / is down: /.test(String(entry.msg)));
    expect(downLines.map((entry) => entry.msg)).toEqual([
      expect.stringMatching(/^Storage queue "[a-z0-9-]+" at devstoreaccount1 is down: .*ECONN(REFUSED|RESET)/),
    ]);

    azurite = await Azurite.start({ port: queuePort });
    expect((await getCode(target.server)).status).toBe(200);
    expect((await request(target.server).get('/health/ready')).status).toBe(200);
    const upLines = target.logs.entries().filter((entry) => / is up again /.test(String(entry.msg)));
    expect(upLines).toHaveLength(1);
  });

  it('reports not ready while the process drains for shutdown', async () => {
    const shutdown = target.app.get(ShutdownState);
    shutdown.draining = true;
    try {
      const res = await request(target.server).get('/health/ready');
      expect(res.status).toBe(503);
      expect(res.body).toMatchObject({ error: { process: { status: 'down' } } });
      expect((await request(target.server).get('/health/live')).status).toBe(200);
    } finally {
      shutdown.draining = false;
    }
  });
});
