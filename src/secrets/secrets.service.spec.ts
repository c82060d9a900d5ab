import { jest } from '@jest/globals';
import { Test } from '@nestjs/testing';
import { pino } from 'pino';
import { CapturedLogs } from '../../test/doubles/captured-logs.js';
import { FakeSecretSource } from '../../test/doubles/fake-secret-source.js';
import { LogCapture } from '../../test/doubles/log-capture.js';
import { createLoggerParams } from '../common/logging.module.js';
import { REDACTED, SecretRedaction } from '../common/secret-redaction.js';
import { testConfig } from '../../test/support/test-config.js';
import { AppConfig } from '../config/app-config.js';
import { SECRET_SOURCE } from './secret-source.js';
import { SecretsService } from './secrets.service.js';

const TTL_MS = 60_000;
const BACKOFF_MS = 5_000;
const NAME = 'third-party-api-key';

describe('SecretsService', () => {
  let source: FakeSecretSource;
  let secrets: SecretsService;
  let logs: LogCapture;
  let redaction: SecretRedaction;

  beforeEach(async () => {
    jest.useFakeTimers({ now: new Date('2026-11-29T10:00:00Z'), doNotFake: ['nextTick', 'setImmediate'] });
    logs = new LogCapture();
    source = new FakeSecretSource().set(NAME, 'key-1');
    const moduleRef = await Test.createTestingModule({
      providers: [
        SecretsService,
        { provide: SECRET_SOURCE, useValue: source },
        {
          provide: AppConfig,
          useValue: testConfig({}, { secrets: { cacheTtlMs: TTL_MS, refreshBackoffMs: BACKOFF_MS } }),
        },
        SecretRedaction,
      ],
    })
      .setLogger(logs)
      .compile();
    secrets = moduleRef.get(SecretsService);
    redaction = moduleRef.get(SecretRedaction);
  });

  afterEach(() => {
    jest.useRealTimers();
  });

  it('names its source, for the start-up line', () => {
    expect(secrets.sourceDescription).toBe('the fake secret source');
  });

  it('serves 100 concurrent reads with one fetch', async () => {
    source.hold();
    const reads = Array.from({ length: 100 }, () => secrets.get(NAME));
    source.release();
    await expect(Promise.all(reads)).resolves.toEqual(Array(100).fill('key-1'));
    expect(source.reads).toBe(1);
  });

  /** Lets a background refresh run to its end. */
  const settle = () => new Promise((resolve) => setImmediate(resolve));

  it('serves from memory, then refreshes in the background once the interval has passed', async () => {
    await secrets.get(NAME);
    source.set(NAME, 'key-2');
    jest.advanceTimersByTime(TTL_MS - 1);
    await expect(secrets.get(NAME)).resolves.toBe('key-1');
    expect(source.reads).toBe(1);

    jest.advanceTimersByTime(1);
    await expect(secrets.get(NAME)).resolves.toBe('key-1'); // no caller waits for Key Vault
    await settle();
    expect(source.reads).toBe(2);
    await expect(secrets.get(NAME)).resolves.toBe('key-2');
    expect(source.reads).toBe(2);
  });

  it('keeps serving the last good value when refreshes fail, backing off longer after each failure', async () => {
    await secrets.get(NAME);
    source.failure = new Error('vault down');
    jest.advanceTimersByTime(TTL_MS);

    await expect(secrets.get(NAME)).resolves.toBe('key-1'); // refresh 1 fails: next try in 1 x backoff
    await settle();
    expect(source.reads).toBe(2);
    expect(logs.text()).toMatch(
      /Refreshing secret "third-party-api-key" failed; serving the cached value, next attempt in 5 s\. Error$/m,
    );

    jest.advanceTimersByTime(BACKOFF_MS - 1);
    await secrets.get(NAME);
    await settle();
    expect(source.reads).toBe(2);
    jest.advanceTimersByTime(1);
    await secrets.get(NAME); // refresh 2 fails: next try in 2 x backoff
    await settle();
    expect(source.reads).toBe(3);
    expect(logs.text()).toMatch(/next attempt in 10 s/);

    source.failure = undefined;
    source.set(NAME, 'key-2');
    jest.advanceTimersByTime(2 * BACKOFF_MS - 1);
    await secrets.get(NAME);
    await settle();
    expect(source.reads).toBe(3);
    jest.advanceTimersByTime(1);
    await expect(secrets.get(NAME)).resolves.toBe('key-1');
    await settle();
    await expect(secrets.get(NAME)).resolves.toBe('key-2');
    expect(source.reads).toBe(4);
  });

  it('throws when the very first read fails, then answers that failure at once and reads again in the background', async () => {
    source.failure = new Error('vault down');
    await expect(secrets.get(NAME)).rejects.toThrow('vault down');
    source.failure = undefined;
    await expect(secrets.get(NAME)).rejects.toThrow('vault down');
    expect(source.reads).toBe(1); // backing off

    jest.advanceTimersByTime(BACKOFF_MS);
    await expect(secrets.get(NAME)).rejects.toThrow('vault down'); // no caller waits on the retry...
    expect(source.reads).toBe(2); // ...which runs in the background
    await new Promise((resolve) => setImmediate(resolve));
    await expect(secrets.get(NAME)).resolves.toBe('key-1');
    expect(source.reads).toBe(2);
  });

  it('reports the secret down while no value can be read, logging it once, and up once a read succeeds', async () => {
    source.failure = new Error('vault down');
    expect(secrets.status(NAME).state).toBe('unknown');
    await expect(secrets.get(NAME)).rejects.toThrow('vault down');
    expect(secrets.status(NAME).state).toBe('down');
    await expect(secrets.get(NAME)).rejects.toThrow('vault down'); // backing off: the same failure, no read
    expect(source.reads).toBe(1);
    expect(logs.lines.filter((line) => line.includes('is down'))).toHaveLength(1);

    source.failure = undefined;
    jest.advanceTimersByTime(BACKOFF_MS);
    await expect(secrets.get(NAME)).rejects.toThrow('vault down'); // answers at once, reads in the background
    await new Promise((resolve) => setImmediate(resolve));
    expect(secrets.status(NAME).state).toBe('up');
    expect(logs.text()).toMatch(/Secret "third-party-api-key" in the fake secret source is up again/);
  });

  it('goes to the source on the next read after invalidate()', async () => {
    await secrets.get(NAME);
    source.set(NAME, 'key-2');
    secrets.invalidate(NAME);
    await expect(secrets.get(NAME)).resolves.toBe('key-2');
    expect(source.reads).toBe(2);
  });

  it('re-reads once when many callers report the same rejected value', async () => {
    await secrets.get(NAME);
    source.set(NAME, 'key-2');
    source.hold();
    const rereads = Array.from({ length: 20 }, () => {
      secrets.invalidate(NAME, 'key-1');
      return secrets.get(NAME);
    });
    source.release();
    await expect(Promise.all(rereads)).resolves.toEqual(Array(20).fill('key-2'));

    secrets.invalidate(NAME, 'key-1'); // a late report about the old value changes nothing
    await expect(secrets.get(NAME)).resolves.toBe('key-2');
    expect(source.reads).toBe(2);
  });

  it('never logs a secret value', async () => {
    await secrets.get(NAME);
    source.set(NAME, 'key-2');
    secrets.invalidate(NAME);
    await secrets.get(NAME);
    source.failure = new Error('vault down');
    jest.advanceTimersByTime(TTL_MS);
    await secrets.get(NAME);
    await settle();
    expect(logs.lines.length).toBeGreaterThan(0);
    expect(logs.text()).not.toMatch(/key-1|key-2/);
  });

  it('blanks every value it reads out of the log lines the app writes, the rotated one too', async () => {
    const first = 'first-key-3b9c0e41'; // longer than the redaction's minimum length
    const second = 'second-key-77d2aa10';
    source.set(NAME, first);
    await secrets.get(NAME);
    source.set(NAME, second);
    secrets.invalidate(NAME);
    await secrets.get(NAME);

    // The production log pipeline, fed the service's redaction: an upstream error quoting the keys, say.
    const capture = new CapturedLogs();
    const params = await createLoggerParams(testConfig({ NODE_ENV: 'test' }), capture, redaction);
    const [options, destination] = params.pinoHttp as [pino.LoggerOptions, pino.DestinationStream];
    pino(options, destination).error(`upstream said: bad key ${first}, then ${second}`);
    expect(capture.entries()[0]?.msg).toBe(`upstream said: bad key ${REDACTED}, then ${REDACTED}`);
  });

  it('logs a rotation once, at log level, naming the secret and its source but not the value', async () => {
    const rotations = () => logs.lines.filter((line) => line.includes('has a new value'));
    await secrets.get(NAME);
    expect(rotations()).toEqual([]); // the first read is no rotation

    jest.advanceTimersByTime(TTL_MS);
    await secrets.get(NAME);
    await settle();
    expect(source.reads).toBe(2);
    expect(rotations()).toEqual([]); // the same value again is no rotation either

    source.set(NAME, 'key-2');
    secrets.invalidate(NAME);
    await secrets.get(NAME);
    expect(rotations()).toEqual([
      'log [SecretsService] Secret "third-party-api-key" has a new value from the fake secret source',
    ]);
  });
});
