/**
 * `npm run openapi`: writes openapi.json from the built app (`nest build`
 * runs first, so the Swagger plugin's DTO metadata is in it, as in the
 * container), then the typed client's schema from that file.
 * `npm run openapi:client`: only the client's schema, from the committed openapi.json.
 * `--check` (after `nest build`): writes nothing, exits 1 when either committed file is stale.
 *
 * The app is created in this process without listening, on a fixed local
 * environment, so the document does not depend on who runs the script.
 */
import 'reflect-metadata';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import {
  CLIENT_TYPES_FILE,
  OPENAPI_FILE,
  REGENERATE_COMMAND,
  renderClientTypes,
  renderDocument,
} from './openapi-render.ts';
import { DOCS_PAGE_FILE, renderDocsPage } from './docs-page.ts';

type AppModuleExports = typeof import('../src/app.module.ts');
type AppConfigExports = typeof import('../src/config/app-config.ts');
type ApiDocsExports = typeof import('../src/docs/api-docs.ts');

/** Enough for the app to be created; nothing is contacted. */
const LOCAL_ENVIRONMENT: Record<string, string> = {
  NODE_ENV: 'development',
  LOG_LEVEL: 'warn',
  THIRD_PARTY_API_ENDPOINT: 'http://127.0.0.1:7071/api/RandomNumber',
  THIRD_PARTY_API_KEY: 'openapi-generation',
  AZURE_STORAGE_CONNECTION_STRING: 'UseDevelopmentStorage=true',
};

const fromDist = <T>(path: string): Promise<T> =>
  import(new URL(`../dist/${path}`, import.meta.url).href) as Promise<T>;

async function createApp(): Promise<INestApplication> {
  const { AppModule } = await fromDist<AppModuleExports>('app.module.js');
  const { loadConfig } = await fromDist<AppConfigExports>('config/app-config.js');
  const config = loadConfig(LOCAL_ENVIRONMENT);
  return NestFactory.create(AppModule.register(config), { logger: false, abortOnError: false });
}

async function documentText(): Promise<string> {
  const { buildApiDocument } = await fromDist<ApiDocsExports>('docs/api-docs.js');
  const app = await createApp();
  try {
    return await renderDocument(buildApiDocument(app));
  } finally {
    await app.close();
  }
}

/** Each file with its current text; the client's schema and the docs page come from the document just produced. */
async function currentFiles(clientOnly: boolean): Promise<[string, string][]> {
  const document = clientOnly ? readFileSync(OPENAPI_FILE, 'utf8') : await documentText();
  const files: [string, string][] = [
    [CLIENT_TYPES_FILE, await renderClientTypes(document)],
    [DOCS_PAGE_FILE, await renderDocsPage(document)],
  ];
  return clientOnly ? files : [[OPENAPI_FILE, document], ...files];
}

const files = await currentFiles(process.argv.includes('--client-only'));
if (process.argv.includes('--check')) {
  const stale = files.filter(([file, text]) => !existsSync(file) || readFileSync(file, 'utf8') !== text);
  for (const [file] of stale) process.stderr.write(`${file} is stale: run \`${REGENERATE_COMMAND}\`\n`);
  process.exitCode = stale.length > 0 ? 1 : 0;
} else {
  for (const [file, text] of files) {
    writeFileSync(file, text);
    process.stdout.write(`wrote ${file}\n`);
  }
}
