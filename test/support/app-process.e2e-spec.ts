import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../scripts/ports.js';
import { AppProcess } from './app-process.js';

/**
 * A process that cannot start, or ends early, fails the waits with its cause (not a timeout), and never blocks
 * `stop()`.
 */
describe('AppProcess', () => {
  let dir: string;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'aia-app-process-'));
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('rejects with the spawn error when the Node binary does not exist, and stop() resolves', async () => {
    const app = new AppProcess({}, { node: join(dir, 'no-such-node') });
    await expect(app.exited).rejects.toThrow(/ENOENT/);
    await expect(app.waitForPort(await freePort())).rejects.toThrow(/never started: spawn .* ENOENT/);
    await expect(app.waitForOutput(/listening/)).rejects.toThrow(/never started/);
    await expect(app.stop('SIGKILL')).resolves.toBeNull();
  });

  it('rejects with the spawn error when the binary may not be run (EACCES), and stop() resolves', async () => {
    const node = join(dir, 'not-executable');
    writeFileSync(node, '', { mode: 0o644 });
    const app = new AppProcess({}, { node });
    await expect(app.waitForPort(await freePort())).rejects.toThrow(/EACCES/);
    await expect(app.stop()).resolves.toBeNull();
  });

  it('stops waiting for the port as soon as the app exits, with its output', async () => {
    const app = new AppProcess({}, { nodeArgs: ['-e', 'console.error("bad config"); process.exit(3)'] });
    await expect(app.waitForPort(await freePort())).rejects.toThrow(/the app exited: 3\):\nbad config/);
    expect(await app.exited).toBe(3);
    expect(await app.stop()).toBe(3);
  });

  it('stop() escalates to SIGKILL when the process ignores the signal', async () => {
    const app = new AppProcess(
      {},
      { nodeArgs: ['-e', 'process.on("SIGTERM", () => {}); console.log("up"); setInterval(() => {}, 1000)'] },
    );
    await app.waitForOutput(/up/);
    expect(await app.stop('SIGTERM', 300)).toBeNull();
  });
});
