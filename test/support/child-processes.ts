import type { ChildProcess } from 'node:child_process';

const running = new Map<ChildProcess, Promise<void>>();

/**
 * Follows a child process the tests started. The promise resolves once it
 * has exited or could not be started at all (then its `error` event is the
 * only one: no `exit` follows), so nothing waits on it forever.
 */
export function followChild(child: ChildProcess): Promise<void> {
  const gone = new Promise<void>((resolve) => {
    child.once('exit', () => resolve());
    // Also a failed kill() reports here; only a spawn failure (no pid) means it never ran.
    child.on('error', () => child.pid === undefined && resolve());
  });
  running.set(child, gone);
  void gone.then(() => running.delete(child));
  return gone;
}

/**
 * SIGKILLs every followed child still running and waits for each to go.
 * The e2e project runs it after every spec file, so a failed start or a
 * failed test never leaves a process that keeps Jest from exiting.
 */
export async function killLeftoverChildren(): Promise<void> {
  const left = [...running];
  for (const [child] of left) {
    child.kill('SIGKILL');
  }
  await Promise.all(left.map(([, gone]) => gone));
}
