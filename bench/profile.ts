import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Layer, LAYER_NAMES, layerOf, packageOf } from './layers.ts';

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
  const layerOfNode = new Map<number, Layer | 'idle'>();
  const resolve = (id: number): Layer | 'idle' => {
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
  return (Object.keys(LAYER_NAMES) as Layer[]).map((layer) => ({
    name: LAYER_NAMES[layer],
    usPerRequest: requests > 0 ? (totals.get(layer) ?? 0) / requests : NaN,
  }));
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
 * The main thread's times from the profiles a run wrote to `dir`: each thread (a module loader's, a worker's)
 * writes one; the main thread is the one busy during the measured window.
 */
export function mainThreadTimes(
  dir: string,
  window: { fromUs: number; toUs: number },
  requests: number,
): ProfileResult {
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
