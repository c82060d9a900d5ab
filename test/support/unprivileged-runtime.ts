import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface User {
  uid: number;
  gid: number;
}

/** A folder, and a Node executable, that a process started as another user can use. */
export interface UnprivilegedRuntime {
  /** An empty folder for the runtime tree. */
  dir: string;
  /** A Node executable the user can run. */
  node: string;
  remove(): void;
}

/**
 * A fresh folder under the OS temp folder, readable by everyone, for a process
 * started as `user`. The checkout cannot serve: it may sit where only its
 * owner may enter (a home folder, a `mktemp -d`), and so may the Node binary
 * (CI installs one under the checkout's `.tools/`), which is then copied in.
 * Without `user`, the process runs as this one and needs nothing copied.
 */
export function unprivilegedRuntime(user?: User): UnprivilegedRuntime {
  const root = mkdtempSync(join(tmpdir(), 'aia-runtime-'));
  chmodSync(root, 0o755);
  const dir = join(root, 'app');
  mkdirSync(dir, { mode: 0o755 });
  const runtime = { dir, node: process.execPath, remove: () => rmSync(root, { recursive: true, force: true }) };
  if (user && !canEnter(user, runtime.node, dir)) {
    runtime.node = join(root, 'node');
    copyFileSync(process.execPath, runtime.node);
    chmodSync(runtime.node, 0o755);
    if (!canEnter(user, runtime.node, dir)) {
      runtime.remove();
      throw new Error(`uid ${user.uid} cannot enter ${dir}: set TMPDIR to a folder every user may enter`);
    }
  }
  return runtime;
}

/** Whether `user` can run `node` and enter `dir` (asked of the system, which knows ACLs and groups too). */
function canEnter(user: User, node: string, dir: string): boolean {
  const probe = spawnSync(node, ['-e', 'process.chdir(process.argv[1])', dir], { ...user, stdio: 'ignore' });
  return probe.status === 0;
}
