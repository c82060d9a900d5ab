import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { ProductionStack } from '../test/support/production-stack.ts';
import type { Target } from './runs.ts';

async function startThirdParty(key: string): Promise<{ child: ChildProcess; base: string }> {
  const child = spawn(process.execPath, ['bench/third-party.ts'], {
    env: { PATH: process.env.PATH ?? '', THIRD_PARTY_KEY: key },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const [chunk] = (await once(child.stdout, 'data')) as [Buffer];
  return { child, base: `http://127.0.0.1:${chunk.toString().trim()}` };
}

/**
 * A fresh stack (identity endpoint, vault, Azurite, third party) for one part of the bench, so no cell inherits
 * another's queue state or connections.
 */
export async function onFreshStack<T>(workDir: string, work: (target: Target) => Promise<T>): Promise<T> {
  const stack = await ProductionStack.start();
  const thirdParty = await startThirdParty(stack.key).catch(async (error: unknown) => {
    await stack.stop();
    throw error;
  });
  try {
    return await work({ stack, thirdPartyBase: thirdParty.base, workDir });
  } finally {
    thirdParty.child.kill('SIGTERM');
    await stack.stop();
  }
}
