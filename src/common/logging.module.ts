import type { IncomingMessage, ServerResponse } from 'node:http';
import { Module } from '@nestjs/common';
import { LoggerModule, type Params } from 'nestjs-pino';
import type PinoPretty from 'pino-pretty';
import { type DestinationStream, type Level, type LevelWithSilent, stdTimeFunctions } from 'pino';
import { AppConfig } from '../config/app-config.js';
import type { Environment } from '../config/environment.js';
import type { RequestWithId } from './request-id.js';
import { SecretRedaction, SecretRedactionModule } from './secret-redaction.js';

export const LOG_DESTINATION = Symbol('LOG_DESTINATION');

const PINO_LEVELS: Record<Environment['LOG_LEVEL'], LevelWithSilent> = {
  fatal: 'fatal',
  error: 'error',
  warn: 'warn',
  log: 'info',
  debug: 'debug',
  verbose: 'trace',
};

function redacting(destination: DestinationStream, redaction: SecretRedaction): DestinationStream {
  return { write: (line: string) => destination.write(redaction.redact(line)) };
}

/** Human-readable lines for local development; JSON everywhere else (what App Service and Log Analytics ingest). */
async function humanReadable(destination: DestinationStream): Promise<DestinationStream> {
  let pretty: typeof PinoPretty;
  try {
    pretty = (await import('pino-pretty')).default;
  } catch {
    return destination; // pino-pretty is a dev dependency: JSON where it is not installed
  }
  return pretty({
    destination: destination as NodeJS.WritableStream,
    colorize: true,
    singleLine: true,
    ignore: 'pid,hostname',
    translateTime: 'SYS:HH:MM:ss.l',
  });
}

/** Method, path as the client sent it (Express may have rewritten `url` for a mounted router) and status. */
function requestLine(req: IncomingMessage, res: ServerResponse): string {
  const path = (req as IncomingMessage & { originalUrl?: string }).originalUrl ?? req.url;
  return `${req.method} ${path} ${res.statusCode}`;
}

/** The access line's level by status. */
function accessLevel(res: ServerResponse, error: Error | undefined): Level {
  if (error || res.statusCode >= 500) {
    return 'error';
  }
  if (res.statusCode >= 400) {
    return 'warn';
  }
  // Stryker disable next-line StringLiteral: pino-http logs at its default level, info, when given no valid level
  return 'info';
}

export async function createLoggerParams(
  { env }: AppConfig,
  destination: DestinationStream,
  redaction: SecretRedaction,
): Promise<Params> {
  const target = env.NODE_ENV === 'development' ? await humanReadable(destination) : destination;
  return {
    pinoHttp: [
      {
        level: PINO_LEVELS[env.LOG_LEVEL],
        timestamp: stdTimeFunctions.isoTime,
        formatters: { level: (label) => ({ level: label }) },
        // Stryker disable next-line ArrowFunction: pino-http calls it only while req.id is unset, so it gives no id either way
        genReqId: (req) => (req as RequestWithId).id,
        quietReqLogger: true,
        customLogLevel: (_req, res, error) => accessLevel(res, error),
        customSuccessMessage: (req, res, responseTime) => `${requestLine(req, res)} ${Math.round(responseTime)} ms`,
        customErrorMessage: (req, res, error) => `${requestLine(req, res)} (${error.name})`,
        serializers: {
          req: (req: IncomingMessage & { id?: unknown }) => ({ id: req.id, method: req.method, url: req.url }),
          res: (res: ServerResponse) => ({ statusCode: res.statusCode }),
        },
      },
      redacting(target, redaction),
    ],
  };
}

/** nestjs-pino: one access line per request (no headers), its request id on every line, secrets blanked out. */
@Module({
  imports: [
    LoggerModule.forRootAsync({
      imports: [SecretRedactionModule],
      providers: [{ provide: LOG_DESTINATION, useValue: process.stdout }],
      inject: [AppConfig, LOG_DESTINATION, SecretRedaction],
      useFactory: createLoggerParams,
    }),
  ],
})
export class LoggingModule {}
