import { execFileSync } from 'node:child_process';

/**
 * Global setup of the e2e project: compiles the production bundle
 * (`nest build`) once per run, as the container build does, for the specs
 * that run `node dist/main.js`. Runs for a single e2e spec too.
 */
export default function buildApp(_global: unknown, project: { rootDir: string }): void {
  try {
    execFileSync(process.execPath, ['node_modules/.bin/nest', 'build'], { cwd: project.rootDir, stdio: 'pipe' });
  } catch (error) {
    const { stdout, stderr } = error as { stdout?: Buffer; stderr?: Buffer };
    throw new Error(`nest build failed:\n${String(stdout ?? '')}${String(stderr ?? '')}`, { cause: error });
  }
}
