import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const SCRIPT = 'scripts/check-node.cjs';
/** An old Node many machines still have as their default (Debian's, here Node 20). */
const SYSTEM_NODE = '/usr/bin/node';

const run = (node: string, args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}) =>
  spawnSync(node, args, { encoding: 'utf8', timeout: 60_000, ...options });

/** The check's message: one line naming the Node found and the version needed, and pointing at .nvmrc. */
function expectOneLine(stderr: string, found: string, needed: string): void {
  expect(stderr).toMatch(/^[^\n]+\n$/);
  expect(stderr).toContain(found);
  expect(stderr).toContain(` ${needed} `);
  expect(stderr).toContain('.nvmrc');
}

function systemNodeVersion(): string | undefined {
  const version = run(SYSTEM_NODE, ['--version']);
  return version.status === 0 ? version.stdout.trim() : undefined;
}

/**
 * scripts/check-node.cjs, the pre-script of `npm run dev`, `npm start` and
 * `npm test`: on an older Node, one line (found, needed, how to get it) and
 * exit 1 instead of a stack trace; silence on a recent one.
 */
describe('the Node version check', () => {
  const engines = (JSON.parse(readFileSync('package.json', 'utf8')) as { engines: { node: string } }).engines.node;

  it('needs the Node of .nvmrc and the Dockerfile, from the version the tests need', () => {
    const major = readFileSync('.nvmrc', 'utf8').trim();
    expect(engines).toBe(`>=${major}.9.0`); // Jest's ESM support needs 24.9
    expect(readFileSync('Dockerfile', 'utf8')).toMatch(new RegExp(`^ARG NODE_IMAGE=node:${major}-`, 'm'));
    const scripts = (JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: Record<string, string> }).scripts;
    for (const name of ['predev', 'prestart', 'pretest', 'pretest:unit']) {
      expect(scripts[name]).toBe(`node ${SCRIPT}`);
    }
  });

  it('passes silently on this Node', () => {
    expect(run(process.execPath, [SCRIPT])).toMatchObject({ status: 0, stdout: '', stderr: '' });
  });

  it('refuses a Node older than engines.node says, in one line (whatever Node runs it)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'aia-check-node-'));
    try {
      cpSync(SCRIPT, join(dir, SCRIPT));
      writeFileSync(join(dir, 'package.json'), JSON.stringify({ engines: { node: '>=999.0.0' } }));
      const result = run(process.execPath, [SCRIPT], { cwd: dir });
      expect(result).toMatchObject({ status: 1, stdout: '' });
      expectOneLine(result.stderr, `Node ${process.version} (${process.execPath})`, '999.0.0');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  const oldNode = systemNodeVersion();
  if (oldNode === undefined || Number(/^v(\d+)/.exec(oldNode)?.[1]) >= 24) {
    it.skip(`on the system's old Node (skipped: ${SYSTEM_NODE} is ${oldNode ?? 'absent'}, not older than 24)`, () => {});
    return;
  }

  it(`prints one line and exits 1 on the system's ${oldNode} (${SYSTEM_NODE})`, () => {
    const result = run(SYSTEM_NODE, [SCRIPT]);
    expect(result).toMatchObject({ status: 1, stdout: '' });
    expectOneLine(result.stderr, `Node ${oldNode} (${SYSTEM_NODE})`, engines.slice('>='.length));
  });

  it.each(['dev', 'start', 'test', 'test:unit'])(
    `npm run %s on ${oldNode} stops at the check, with that line`,
    (script) => {
      // The system's Node first on PATH, as on a machine where nothing else is installed.
      const result = run('npm', ['run', script], { env: { ...process.env, PATH: `/usr/bin:${process.env.PATH}` } });
      expect(result.status).toBe(1);
      const line = result.stderr.split('\n').find((text) => text.startsWith(`Node ${oldNode} (`));
      expectOneLine(`${line}\n`, `Node ${oldNode}`, engines.slice('>='.length));
      expect(result.stdout + result.stderr).not.toMatch(/ERR_UNKNOWN_FILE_EXTENSION|^\s+at /m);
    },
  );
});
