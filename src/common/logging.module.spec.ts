import { IncomingMessage, ServerResponse } from 'node:http';
import { hostname } from 'node:os';
import { Socket } from 'node:net';
import { pino } from 'pino';
import { pinoHttp } from 'pino-http';
import { CapturedLogs } from '../../test/doubles/captured-logs.js';
import { testConfig } from '../../test/support/test-config.js';
import { createLoggerParams } from './logging.module.js';
import { REDACTED, SecretRedaction } from './secret-redaction.js';

async function pinoHttpParams(
  nodeEnv: 'production' | 'test' | 'development',
  capture: CapturedLogs,
  redaction = new SecretRedaction(),
  env: Record<string, string> = {},
) {
  const vault: Record<string, string> =
    nodeEnv === 'production' ? { KEY_VAULT_URL: 'https://kv-codes.vault.azure.net/' } : {};
  const params = await createLoggerParams(testConfig({ NODE_ENV: nodeEnv, ...vault, ...env }), capture, redaction);
  return params.pinoHttp as [pino.LoggerOptions, pino.DestinationStream];
}

async function loggerFor(
  nodeEnv: 'production' | 'test' | 'development',
  capture: CapturedLogs,
  redaction = new SecretRedaction(),
  env: Record<string, string> = {},
) {
  return pino(...(await pinoHttpParams(nodeEnv, capture, redaction, env)));
}

describe('log pipeline', () => {
  it('writes JSON lines with a level label and an ISO timestamp', async () => {
    const capture = new CapturedLogs();
    (await loggerFor('production', capture)).info('hello');
    expect(capture.entries()[0]).toMatchObject({
      level: 'info',
      msg: 'hello',
      time: expect.stringMatching(/^\d{4}-/) as string,
    });
  });

  it('writes one human-readable line per entry in development', async () => {
    const capture = new CapturedLogs();
    const logger = await loggerFor('development', capture);
    logger.info('hello dev');
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(capture.lines).toHaveLength(1);
    expect(capture.lines[0]).toMatch(/INFO.*hello dev/);
    expect(() => JSON.parse(capture.lines[0] ?? '') as unknown).toThrow();
  });

  it('shows the local time, in colour, with the fields on the same line and without pid or host name', async () => {
    const capture = new CapturedLogs();
    const logger = await loggerFor('development', capture);
    logger.info({ scope: 'vault' }, 'token ok');
    await new Promise((resolve) => setTimeout(resolve, 50));
    const [line = ''] = capture.lines;
    expect(line.trimEnd().split('\n')).toHaveLength(1);
    expect(line).toMatch(/token ok.*scope.*vault/);
    expect(line).toMatch(/\[\d{2}:\d{2}:\d{2}\.\d{3}\]/);
    expect(line).toContain('\u001b[');
    expect(line).not.toContain(hostname());
  });

  it.each([
    ['fatal', 'fatal'],
    ['error', 'error'],
    ['warn', 'warn'],
    ['log', 'info'],
    ['debug', 'debug'],
    ['verbose', 'trace'],
  ])('writes from the pino level matching LOG_LEVEL=%s (%s) up', async (logLevel, pinoLevel) => {
    const capture = new CapturedLogs();
    const logger = await loggerFor('test', capture, undefined, { LOG_LEVEL: logLevel });
    expect(logger.level).toBe(pinoLevel);
  });

  it('blanks out every loaded secret value, wherever it appears in a line', async () => {
    const secret = 'a-loaded-secret-9f8e7d';
    const redaction = new SecretRedaction();
    redaction.add(secret);
    const capture = new CapturedLogs();
    const logger = await loggerFor('production', capture, redaction);
    logger.error({ detail: { nested: `x${secret}y` } }, `oops ${secret}`);
    expect(capture.text()).not.toContain(secret);
    expect(capture.entries()[0]).toMatchObject({ msg: `oops ${REDACTED}`, detail: { nested: `x${REDACTED}y` } });
  });

  it('does not redact very short values, which would blank out ordinary words', async () => {
    const redaction = new SecretRedaction();
    redaction.add('info');
    const capture = new CapturedLogs();
    (await loggerFor('test', capture, redaction)).info('info stays');
    expect(capture.entries()[0]?.msg).toBe('info stays');
  });

  it('logs no request header, even where a request object is logged', async () => {
    const capture = new CapturedLogs();
    const logger = await loggerFor('production', capture);
    logger.info({ req: { headers: { authorization: 'Bearer t', 'x-functions-key': 'k', cookie: 'c' } } }, 'r');
    expect(capture.text()).not.toMatch(/Bearer t|"k"|"c"/);
  });
});

describe('access line', () => {
  interface Exchange {
    status: number;
    url?: string;
    originalUrl?: string;
    error?: Error;
  }

  /** One request through pino-http as nestjs-pino sets it up; the lines it wrote. */
  async function access({ status, url = '/getcode?n=1', originalUrl, error }: Exchange) {
    const capture = new CapturedLogs();
    const logging = pinoHttp(...(await pinoHttpParams('test', capture)));
    const req = Object.assign(new IncomingMessage(new Socket()), { method: 'GET', url, id: 'req-7' });
    if (originalUrl) {
      Object.assign(req, { originalUrl });
    }
    const res = new ServerResponse(req);
    res.writeHead(status); // headers sent, as when the answer finishes
    logging(req, res);
    req.log.info('inside the request');
    if (error) {
      res.emit('error', error);
    } else {
      res.emit('finish');
    }
    return capture.entries();
  }

  it('is one line per request: method, path, status and time, with the request id and no header', async () => {
    const [inside, line] = await access({ status: 200 });
    expect(inside).toMatchObject({ msg: 'inside the request', reqId: 'req-7' });
    expect(inside).not.toHaveProperty('req');
    expect(line).toMatchObject({
      level: 'info',
      msg: expect.stringMatching(/^GET \/getcode\?n=1 200 \d+ ms$/) as string,
      reqId: 'req-7',
      req: { id: 'req-7', method: 'GET', url: '/getcode?n=1' },
      res: { statusCode: 200 },
    });
    expect(Object.keys(line?.req as object)).toEqual(['id', 'method', 'url']);
    expect(Object.keys(line?.res as object)).toEqual(['statusCode']);
  });

  it('names the path the client asked for, not the one Express rewrote for a router', async () => {
    const [, line] = await access({ status: 200, url: '/getcode', originalUrl: '/api/v1/getcode' });
    expect(line?.msg).toMatch(/^GET \/api\/v1\/getcode 200 /);
  });

  it.each([
    [200, 'info'],
    [399, 'info'],
    [400, 'warn'],
    [499, 'warn'],
    [500, 'error'],
    [503, 'error'],
  ])('logs a %i answer at %s', async (status, level) => {
    const [, line] = await access({ status });
    expect(line?.level).toBe(level);
  });

  it('names the failure of a 5xx answer instead of its time', async () => {
    const [, line] = await access({ status: 503 });
    expect(line?.msg).toBe('GET /getcode?n=1 503 (Error)');
  });

  it('logs a response that failed as an error, with the error name', async () => {
    const [, line] = await access({ status: 200, error: new RangeError('socket gone') });
    expect(line).toMatchObject({ level: 'error', msg: 'GET /getcode?n=1 200 (RangeError)' });
  });
});
