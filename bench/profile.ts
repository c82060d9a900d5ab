import { mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { BenchOptions } from './options.ts';
import { type Implementation, measure, type Target } from './runs.ts';

export interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string }; children?: number[] }[];
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

export interface LayerTime {
  name: string;
  /** Microseconds of the main thread per answered request. */
  usPerRequest: number;
}

export interface ProfileResult {
  file: string;
  /** True when only the measured window's samples were counted (start-up and warm-up left out). */
  windowed: boolean;
  packages: PackageTime[];
  /** The same samples by layer of the request's path (`layerOf`), per request of the profiled run. */
  layers: LayerTime[];
}

/** How `packageOf` names the app's own built code. */
const APP_PACKAGE = 'the app (dist/)';

export const LAYER_NAMES = {
  logging: 'request logging (pino, pino-http, nestjs-pino, redaction)',
  rateLimit: 'rate limiting (guard and store)',
  securityHeaders: 'security headers (helmet)',
  resilience: 'resilience pipeline (cockatiel, retry budget)',
  requestBudget: 'request budget (deadline helpers)',
  httpClient: 'third-party HTTP client (axios, @nestjs/axios, undici adapter)',
  undici: 'undici (connections to the third party)',
  framework: 'NestJS and Express (routing, middleware, guards, filters, rxjs)',
  azure: 'Azure SDK (queue, Key Vault, identity; XML)',
  app: "the app's own code (controller, services; minimal.ts)",
  sockets: 'Node.js sockets (reads and writes)',
  gc: 'garbage collector',
  node: 'Node.js and V8 (HTTP parsing, timers, event loop)',
  other: 'other packages',
} as const;

const FRAMEWORK = new Set(
  (
    '@nestjs/core @nestjs/common @nestjs/platform-express @nestjs/terminus @nestjs/swagger express router ' +
    'path-to-regexp body-parser type-is finalhandler on-finished on-headers debug rxjs reflect-metadata http-errors ' +
    'statuses content-type accepts negotiator parseurl encodeurl escape-html vary qs raw-body media-typer ' +
    'mime-types mime-db depd iterare ee-first unpipe fresh send serve-static proxy-addr forwarded ipaddr.js ' +
    'setprototypeof inherits toidentifier'
  ).split(' '),
);
const LOGGING = new Set(
  'pino pino-http nestjs-pino pino-std-serializers sonic-boom fast-redact quick-format-unescaped safe-stable-stringify on-exit-leak-free atomic-sleep thread-stream'.split(
    ' ',
  ),
);
const AZURE = new Set('fast-xml-parser fast-xml-builder path-expression-matcher strnum tslib'.split(' '));

/**
 * The layer a frame's code belongs to, or undefined for Node's and V8's own code (which counts for whichever layer
 * called it). Socket reads and writes are their own layer: both implementations do the same ones.
 */
export function layerOf(url: string, functionName: string): keyof typeof LAYER_NAMES | undefined {
  if (url === '') {
    return functionName === '(garbage collector)' ? 'gc' : undefined;
  }
  if (url === 'node:net') {
    return 'sockets';
  }
  const pkg = packageOf(url, functionName);
  if (pkg === APP_PACKAGE) {
    const app = /\/dist\/(.*)$/.exec(url)?.[1] ?? '';
    if (/^common\/(logging\.module|secret-redaction)\.js$/.test(app)) return 'logging';
    if (app.startsWith('rate-limit/')) return 'rateLimit';
    if (/^third-party\/(third-party\.policy|third-party\.backoff|retry-budget)/.test(app)) return 'resilience';
    if (app === 'common/deadline.js') return 'requestBudget';
    if (app === 'third-party/undici-adapter.js') return 'httpClient';
    return 'app';
  }
  if (url.startsWith('node:')) return undefined;
  if (pkg === 'bench/minimal.ts') return 'app';
  if (LOGGING.has(pkg)) return 'logging';
  if (pkg === 'helmet') return 'securityHeaders';
  if (pkg === 'cockatiel') return 'resilience';
  if (pkg === 'axios' || pkg === '@nestjs/axios') return 'httpClient';
  if (pkg === 'undici') return 'undici';
  if (FRAMEWORK.has(pkg)) return 'framework';
  if (pkg.startsWith('@azure/') || pkg.startsWith('@typespec/') || AZURE.has(pkg)) return 'azure';
  return 'other';
}

/** Sampled microseconds by `keyOf(node id)`, counting only samples within `window` when given. */
function sampleTotals(
  profile: CpuProfile,
  keyOf: (id: number) => string,
  window?: { fromUs: number; toUs: number },
): Map<string, number> {
  const totals = new Map<string, number>();
  let at = profile.startTime;
  profile.samples.forEach((id, index) => {
    const delta = profile.timeDeltas[index] ?? 0;
    at += delta;
    if (!window || (at >= window.fromUs && at <= window.toUs)) {
      const key = keyOf(id);
      totals.set(key, (totals.get(key) ?? 0) + delta);
    }
  });
  return totals;
}

/**
 * Each sample's time goes to the innermost frame of its stack that belongs to a layer (`layerOf`): what a layer
 * costs includes the Node.js and V8 code it calls. Samples with no such frame are Node's and V8's own.
 */
export function timeByLayer(
  profile: CpuProfile,
  requests: number,
  window?: { fromUs: number; toUs: number },
): LayerTime[] {
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  const parents = new Map<number, number>();
  for (const node of profile.nodes) {
    for (const child of node.children ?? []) {
      parents.set(child, node.id);
    }
  }
  const layerOfNode = new Map<number, keyof typeof LAYER_NAMES | 'idle'>();
  const resolve = (id: number): keyof typeof LAYER_NAMES | 'idle' => {
    const known = layerOfNode.get(id);
    if (known) return known;
    const { functionName, url } = nodes.get(id)?.callFrame ?? { functionName: '', url: '' };
    const parent = parents.get(id);
    const layer =
      functionName === '(idle)'
        ? 'idle'
        : (layerOf(url, functionName) ?? (parent === undefined ? 'node' : resolve(parent)));
    layerOfNode.set(id, layer);
    return layer;
  };
  const totals = sampleTotals(profile, resolve, window);
  return (Object.keys(LAYER_NAMES) as (keyof typeof LAYER_NAMES)[]).map((layer) => ({
    name: LAYER_NAMES[layer],
    usPerRequest: requests > 0 ? (totals.get(layer) ?? 0) / requests : NaN,
  }));
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
    return APP_PACKAGE;
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
  const totals = sampleTotals(profile, (id) => packageOfNode.get(id) ?? '(unknown)', window);
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
function mainThreadTimes(dir: string, window: { fromUs: number; toUs: number }, requests: number): ProfileResult {
  const busyMs = (packages: PackageTime[]) => packages.reduce((sum, entry) => sum + entry.ms, 0);
  const candidates = readdirSync(dir)
    .filter((name) => name.endsWith('.cpuprofile'))
    .map((name) => {
      const cpuProfile = JSON.parse(readFileSync(join(dir, name), 'utf8')) as CpuProfile;
      const windowed = selfTimeByPackage(cpuProfile, window);
      return busyMs(windowed) > 0
        ? {
            file: join(dir, name),
            windowed: true,
            packages: windowed,
            layers: timeByLayer(cpuProfile, requests, window),
          }
        : {
            file: join(dir, name),
            windowed: false,
            packages: selfTimeByPackage(cpuProfile),
            layers: timeByLayer(cpuProfile, NaN),
          };
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
    results[implementation.name] = mainThreadTimes(dir, run.windowUs, run.ok);
    process.stdout.write(
      `profile: ${results[implementation.name]?.file} (${run.failed > 0 ? `FAILED: ${run.firstFailure}` : 'ok'})\n`,
    );
  }
  return results;
}
