import { jest } from '@jest/globals';
import { pino } from 'pino';
import { CapturedLogs } from '../../test/doubles/captured-logs.js';
import { testConfig } from '../../test/support/test-config.js';
import { SecretRedaction } from './secret-redaction.js';

// pino-pretty is a dev dependency: a development run of the production install has none.
jest.unstable_mockModule('pino-pretty', () => {
  throw new Error("Cannot find package 'pino-pretty'");
});
const { createLoggerParams } = await import('./logging.module.js');

describe('log pipeline without pino-pretty', () => {
  it('writes JSON lines in development', async () => {
    const capture = new CapturedLogs();
    const params = await createLoggerParams(testConfig({ NODE_ENV: 'development' }), capture, new SecretRedaction());
    pino(...(params.pinoHttp as [pino.LoggerOptions, pino.DestinationStream])).info('hello dev');
    expect(capture.entries()).toMatchObject([{ level: 'info', msg: 'hello dev' }]);
  });
});
