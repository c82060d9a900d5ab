import 'reflect-metadata';
import { ConsoleLogger, Logger, type LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { AppModule } from './app.module.js';
import { configureApp } from './app.setup.js';
import { ConfigValidationError, type Environment, parseEnvironment } from './config/environment.js';

const LEVELS: LogLevel[] = ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'];

/** JSON lines in production (what App Service log streaming and Log Analytics ingest), readable text locally. */
function createLogger(env: Environment): ConsoleLogger {
  return new ConsoleLogger({
    json: env.NODE_ENV === 'production',
    logLevels: LEVELS.slice(0, LEVELS.indexOf(env.LOG_LEVEL) + 1),
  });
}

async function bootstrap(env: Environment): Promise<void> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule, {
    logger: createLogger(env),
    abortOnError: false,
  });
  configureApp(app);
  await app.listen(env.PORT);
  new Logger('Bootstrap').log(`Listening on port ${env.PORT} (NODE_ENV=${env.NODE_ENV})`);
}

function readEnvironment(): Environment | undefined {
  try {
    return parseEnvironment();
  } catch (error) {
    if (error instanceof ConfigValidationError) {
      process.stderr.write(`${error.message}\nSee .env.example and the README's configuration table.\n`);
      return undefined;
    }
    throw error;
  }
}

const env = readEnvironment();
if (env) {
  await bootstrap(env).catch((error: unknown) => {
    new Logger('Bootstrap').fatal(`Start-up failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  });
} else {
  process.exitCode = 1;
}
