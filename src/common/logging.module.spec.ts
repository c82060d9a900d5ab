import { pino } from 'pino';
import { CapturedLogs } from '../../test/doubles/captured-logs.js';
import { testConfig } from '../../test/support/test-config.js';
import { createLoggerParams } from './logging.module.js';
import { REDACTED, SecretRedaction } from './secret-redaction.js';

async function loggerFor(
  nodeEnv: 'production' | 'test' | 'development',
  capture: CapturedLogs,
  redaction = new SecretRedaction(),
) {
  const vault: Record<string, string> =
    nodeEnv === 'production' ? { KEY_VAULT_URL: 'https://kv-codes.vault.azure.net/' } : {};
  const params = await createLoggerParams(testConfig({ NODE_ENV: nodeEnv, ...vault }), capture, redaction);
  const [options, destination] = params.pinoHttp as [pino.LoggerOptions, pino.DestinationStream];
  return pino(options, destination);
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
