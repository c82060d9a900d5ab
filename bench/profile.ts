import { mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { BenchOptions } from './options.ts';
import { type Implementation, measure, type Target } from './runs.ts';

interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string } }[];
  startTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface PackageTime {
  name: string;
  ms: number;
  /** Of the profile's busy time (idle excluded). */
  share: number;
}

export interface ProfileResult {
  file: string;
  /** True when only the measured window's samples were counted (start-up and warm-up left out). */
  windowed: boolean;
  packages: PackageTime[];
}

/** Where a frame's code comes from: an npm package, a Node core module, the app itself, or V8's own categories. */
export function packageOf(url: string, functionName: string): string {
  if (url === '') {
    return functionName.startsWith('(') ? functionName : '(V8 builtins, native)';
  }
  if (url.startsWith('wasm://')) {
    return 'WebAssembly (llhttp in undici, es-module-lexer)';
  }
  if (url.startsWith('node:')) {
    // Node's own code is a big share: split it by module (node:internal by its first folder).
    const [first = '', second = ''] = url.slice('node:'.length).split('/');
    return first === 'internal' && second !== '' ? `node:internal/${second}` : `node:${first}`;
  }
  const path = url.replace(/^file:\/\//, '');
  const at = path.lastIndexOf('/node_modules/');
  if (at >= 0) {
    const [first = '', second = ''] = path.slice(at + '/node_modules/'.length).split('/');
    return first.startsWith('@') ? `${first}/${second}` : first;
  }
  if (path.includes('/dist/')) {
    return 'the app (dist/)';
  }
  return path.includes('/bench/') ? 'bench/minimal.ts' : path;
}

/** Self time by package, from a .cpuprofile; only samples between `fromUs` and `toUs` (monotonic µs) when given. */
export function selfTimeByPackage(
  profile: CpuProfile,
  window?: { fromUs: number; toUs: number },
): ProfileResult['packages'] {
  const packageOfNode = new Map(
    profile.nodes.map((node) => [node.id, packageOf(node.callFrame.url, node.callFrame.functionName)]),
  );
  const totals = new Map<string, number>();
  let at = profile.startTime;
  profile.samples.forEach((id, index) => {
    const delta = profile.timeDeltas[index] ?? 0;
    at += delta;
    if (window && (at < window.fromUs || at > window.toUs)) {
      return;
    }
    const name = packageOfNode.get(id) ?? '(unknown)';
    totals.set(name, (totals.get(name) ?? 0) + delta);
  });
  totals.delete('(idle)');
  totals.delete('(root)');
  const busyUs = [...totals.values()].reduce((sum, value) => sum + value, 0);
  return [...totals.entries()]
    .map(([name, us]) => ({ name, ms: us / 1000, share: busyUs > 0 ? us / busyUs : 0 }))
    .sort((a, b) => b.ms - a.ms);
}

/**
 * The main thread's self time: with a module loader thread (the container's `--import`), each thread writes a
 * profile; the main thread is the one busy during the measured window.
 */
function mainThreadTimes(dir: string, window: { fromUs: number; toUs: number }): ProfileResult {
  const busyMs = (packages: PackageTime[]) => packages.reduce((sum, entry) => sum + entry.ms, 0);
  const candidates = readdirSync(dir)
    .filter((name) => name.endsWith('.cpuprofile'))
    .map((name) => {
      const cpuProfile = JSON.parse(readFileSync(join(dir, name), 'utf8')) as CpuProfile;
      const windowed = selfTimeByPackage(cpuProfile, window);
      return busyMs(windowed) > 0
        ? { file: join(dir, name), windowed: true, packages: windowed }
        : { file: join(dir, name), windowed: false, packages: selfTimeByPackage(cpuProfile) };
    })
    .sort((a, b) => Number(b.windowed) - Number(a.windowed) || busyMs(b.packages) - busyMs(a.packages));
  if (!candidates[0]) {
    throw new Error(`no .cpuprofile written in ${dir}`);
  }
  return candidates[0];
}

/** One more run of each implementation with --cpu-prof, on the busiest cell; self time by package for each. */
export async function profile(
  target: Target,
  implementations: Implementation[],
  options: BenchOptions,
  outDir: string,
): Promise<Record<string, ProfileResult>> {
  const connections = Math.max(...options.cells.map((cell) => cell.connections));
  const results: Record<string, ProfileResult> = {};
  for (const implementation of implementations) {
    const dir = join(outDir, implementation.name);
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    const nodeArgs = ['--cpu-prof', `--cpu-prof-dir=${dir}`];
    const run = await measure(target, implementation, { delayMs: 0, connections }, options, { nodeArgs });
    results[implementation.name] = mainThreadTimes(dir, run.windowUs);
    process.stdout.write(
      `profile: ${results[implementation.name]?.file} (${run.failed > 0 ? `FAILED: ${run.firstFailure}` : 'ok'})\n`,
    );
  }
  return results;
}
