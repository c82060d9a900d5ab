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

/** Where a frame's code comes from: an npm package, Node's core, the app itself, or V8's own categories. */
export function packageOf(url: string, functionName: string): string {
  if (url === '') {
    return functionName.startsWith('(') ? functionName : '(V8 builtins, native)';
  }
  if (url.startsWith('wasm://')) {
    return 'WebAssembly (llhttp in undici, es-module-lexer)';
  }
  if (url.startsWith('node:')) {
    return 'node (core modules)';
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

/** The main thread's profile: with a module loader thread (the container's `--import`), each thread writes one. */
function mainThreadProfile(dir: string): { file: string; profile: CpuProfile } {
  const profiles = readdirSync(dir)
    .filter((name) => name.endsWith('.cpuprofile'))
    .map((name) => ({
      file: join(dir, name),
      profile: JSON.parse(readFileSync(join(dir, name), 'utf8')) as CpuProfile,
    }))
    .sort((a, b) => b.profile.samples.length - a.profile.samples.length);
  if (!profiles[0]) {
    throw new Error(`no .cpuprofile written in ${dir}`);
  }
  return profiles[0];
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
    const { file, profile: cpuProfile } = mainThreadProfile(dir);
    let packages = selfTimeByPackage(cpuProfile, run.windowUs);
    const windowed = packages.length > 0;
    if (!windowed) {
      packages = selfTimeByPackage(cpuProfile);
    }
    results[implementation.name] = { file, windowed, packages };
    process.stdout.write(`profile: ${file} (${run.failed > 0 ? `FAILED: ${run.firstFailure}` : 'ok'})\n`);
  }
  return results;
}
