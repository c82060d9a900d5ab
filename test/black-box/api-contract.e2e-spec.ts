import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { ReferenceApi } from '../../reference-api/main.js';
import {
  CLIENT_TYPES_FILE,
  OPENAPI_FILE,
  REGENERATE_COMMAND,
  renderClientTypes,
  renderDocument,
} from '../../scripts/openapi-render.js';
import { type AppProcess, startLocalAppProcess } from '../support/app-process.js';
import { Azurite } from '../support/azurite.js';

/** Fails with the command that fixes it, and the first line that differs. */
function expectCommitted(file: string, current: string): void {
  const committed = existsSync(file) ? readFileSync(file, 'utf8') : undefined;
  if (committed === current) return;
  const fix = `${file} is not what the app produces now: run \`${REGENERATE_COMMAND}\` and commit the result.`;
  if (committed === undefined) throw new Error(`${fix}\n(${file} does not exist)`);
  const was = committed.split('\n');
  const now = current.split('\n');
  const line = now.findIndex((text, index) => text !== was[index]);
  const at = line === -1 ? now.length : line;
  throw new Error(
    `${fix}\nFirst difference at line ${at + 1}:\n  committed: ${was[at] ?? '(end of file)'}\n  current:   ${now[at] ?? '(end of file)'}`,
  );
}

/**
 * openapi.json and the TypeScript client's types are the contract REST
 * callers build on: both must match what the production build serves.
 */
describe('the committed API contract', () => {
  describe('openapi.json', () => {
    const key = `contract-key-${randomBytes(12).toString('hex')}`;
    let azurite: Azurite;
    let referenceApi: ReferenceApi;
    let app: AppProcess;
    let base: string;

    beforeAll(async () => {
      azurite = await Azurite.start();
      referenceApi = new ReferenceApi([key]);
      const local = { connectionString: azurite.connectionString, endpoint: await referenceApi.listen(), key };
      ({ app, base } = await startLocalAppProcess(local));
    }, 120_000);

    afterAll(async () => {
      await app?.stop('SIGKILL');
      await referenceApi?.close();
      await azurite?.stop();
    }, 30_000);

    it('is the document the built app serves at /docs-json', async () => {
      const res = await fetch(`${base}/docs-json`);
      expect(res.status).toBe(200);
      expectCommitted(OPENAPI_FILE, await renderDocument((await res.json()) as object));
    });

    it(`is what \`${REGENERATE_COMMAND}\` writes (the in-process app, not listening), client types included`, () => {
      const check = spawnSync(process.execPath, ['scripts/openapi.ts', '--check'], { encoding: 'utf8' });
      expect(`${check.stderr}exit ${check.status}`).toBe('exit 0');
    }, 60_000);
  });

  describe(CLIENT_TYPES_FILE, () => {
    it('is what openapi-typescript generates from openapi.json', async () => {
      expectCommitted(CLIENT_TYPES_FILE, await renderClientTypes(readFileSync(OPENAPI_FILE, 'utf8')));
    }, 30_000);
  });
});
