import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { dirname, relative } from 'node:path';
import * as prettier from 'prettier';
import { chart } from './chart.ts';
import type { BenchOptions, Cell } from './options.ts';
import type { OverloadResult } from './overload.ts';
import { OVERLOAD } from './overload.ts';
import type { ProfileResult } from './profile.ts';
import type { Comparison, Summary } from './summary.ts';

/** The optimisation history: hand-written, kept in every report. */
const HISTORY = readFileSync(new URL('history.md', import.meta.url), 'utf8').trim();

export interface Report {
  options: BenchOptions;
  comparisons: Comparison[];
  profiles?: Record<string, ProfileResult>;
  overloads: OverloadResult[];
  loadBefore: number[];
}

const fixed = (value: number, digits: number): string => (Number.isFinite(value) ? value.toFixed(digits) : '-');
const ms = (value: number): string => fixed(value, value < 10 ? 2 : 1);
const ratio = (service: number, minimal: number): string => `${fixed(service / minimal, 2)}×`;
const cellText = (cell: Cell): string => `${cell.delayMs} ms | ${cell.connections}`;
const status = (summary: Summary): string =>
  summary.failed > 0 ? `**FAILED** (${summary.failed}: ${summary.firstFailure?.replace(/\|/g, '\\|')})` : 'ok';

function absoluteTable(comparisons: Comparison[]): string[] {
  const lines = [
    '| third party | connections | implementation | requests/s | p50 ms | p90 ms | p99 ms | CPU ms/request | peak RSS MiB | first answer s | answers |',
    '|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---|',
  ];
  for (const { cell, service, minimal } of comparisons) {
    for (const s of [service, minimal]) {
      lines.push(
        `| ${cellText(cell)} | ${s.implementation} | ${fixed(s.requestsPerSecond, 0)} | ${ms(s.latencyMs.p50)} | ` +
          `${ms(s.latencyMs.p90)} | ${ms(s.latencyMs.p99)} | ${fixed(s.cpuMsPerRequest, 3)} | ` +
          `${fixed(s.peakRssMiB, 0)} | ${fixed(s.startupSeconds, 1)} | ${status(s)} |`,
      );
    }
  }
  return lines;
}

function ratioTable(comparisons: Comparison[]): string[] {
  const lines = [
    '| third party | connections | requests/s | p50 | p90 | p99 | CPU/request | peak RSS |',
    '|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const { cell, service: s, minimal: m } of comparisons) {
    lines.push(
      `| ${cellText(cell)} | ${ratio(s.requestsPerSecond, m.requestsPerSecond)} | ` +
        `${ratio(s.latencyMs.p50, m.latencyMs.p50)} | ${ratio(s.latencyMs.p90, m.latencyMs.p90)} | ` +
        `${ratio(s.latencyMs.p99, m.latencyMs.p99)} | ${ratio(s.cpuMsPerRequest, m.cpuMsPerRequest)} | ` +
        `${ratio(s.peakRssMiB, m.peakRssMiB)} |`,
    );
  }
  return lines;
}

function layerSection(profiles: Record<string, ProfileResult>): string[] {
  const names = Object.keys(profiles);
  const first = profiles[names[0] ?? ''];
  if (!first) {
    return [];
  }
  const usOf = (name: string, layer: string): number =>
    profiles[name]?.layers.find((entry) => entry.name === layer)?.usPerRequest ?? NaN;
  const total = (name: string): number =>
    profiles[name]?.layers.reduce((sum, entry) => sum + entry.usPerRequest, 0) ?? NaN;
  return [
    "## Where each request's CPU time goes, by layer",
    '',
    "From the CPU profiles below (main thread, measured window), divided by the run's answers. Each sample " +
      'counts for the innermost layer on its stack, so a layer includes the Node.js code it calls (helmet its ' +
      "`setHeader`s, pino its writes to stdout); socket reads and writes are a layer of their own. The app's own code " +
      'counts by its folder in `dist/`, the rest by npm package. About one sample per millisecond; the ' +
      "profiler's own overhead inflates every row a little.",
    '',
    `| layer | ${names.map((name) => `${name} µs/request`).join(' | ')} |`,
    `|---|${names.map(() => '---:').join('|')}|`,
    ...first.layers.map(
      (layer) => `| ${layer.name} | ${names.map((name) => fixed(usOf(name, layer.name), 0)).join(' | ')} |`,
    ),
    `| **all** | ${names.map((name) => `**${fixed(total(name), 0)}**`).join(' | ')} |`,
    '',
  ];
}

function profileSection(profiles: Record<string, ProfileResult>): string[] {
  const lines = [...layerSection(profiles), '## Where the CPU time goes (self time by package)', ''];
  for (const [name, result] of Object.entries(profiles)) {
    lines.push(
      `**${name}** (\`${result.file}\`, ${result.windowed ? 'measured window only' : 'whole process, start-up included'}):`,
      '',
      '| package | self ms | share |',
      '|---|---:|---:|',
      ...result.packages.slice(0, 15).map((p) => `| ${p.name} | ${fixed(p.ms, 0)} | ${fixed(p.share * 100, 1)} % |`),
      '',
    );
  }
  return lines;
}

const CONNECTIONS: Record<OverloadResult['connections'], string> = {
  pooled: "pooled keep-alive (as App Service's front end)",
  new: 'a new one per request',
};

function overloadSection(overloads: OverloadResult[]): string[] {
  if (overloads.length === 0) {
    return [];
  }
  const row = (label: string, cell: (result: OverloadResult) => string) =>
    `| ${label} | ${overloads.map(cell).join(' | ')} |`;
  const outcomes = (result: OverloadResult) =>
    Object.entries(result.outcomes)
      .map(([outcome, count]) => `${outcome}: ${count}`)
      .join(', ');
  return [
    '## Overload',
    '',
    `The service's capacity (closed loop, ${OVERLOAD.capacityConnections} connections, third party ${OVERLOAD.delayMs} ` +
      `ms), then requests arriving at ${OVERLOAD.factor}× that for ${OVERLOAD.seconds} s whatever the answers ` +
      '(test/support/open-loop.ts). "Steady" leaves out the first 2 s, before admission control engages. Targets ' +
      'from the overload issue in brackets.',
    '',
    `| | ${overloads.map((result) => CONNECTIONS[result.connections]).join(' | ')} |`,
    `|---|${overloads.map(() => '---:').join('|')}|`,
    row('capacity, requests/s', (result) => fixed(result.capacity, 0)),
    row('arrival rate, requests/s', (result) => String(result.rate)),
    row('answers', outcomes),
    row('200s served, share of the capacity [≥ 0.80]', (result) => fixed(result.servedShare, 2)),
    row('200s p50 / p99 / max ms [p99 ≤ 1000]', (result) =>
      [result.okMs.p50, result.okMs.p99, result.okMs.max].map((value) => fixed(value, 0)).join(' / '),
    ),
    row('refusals p99 ms [≤ 50]', (result) => fixed(result.refusedP99Ms, 0)),
    row(
      'steady: 200s p99 / refusals p99 ms',
      (result) => `${fixed(result.steady.okP99Ms, 0)} / ${fixed(result.steady.refusedP99Ms, 0)}`,
    ),
    row('refusals problem+json with Retry-After', (result) => (result.refusalsWellFormed ? 'yes' : '**no**')),
    row('queue messages / 200s', (result) => `${result.queued} / ${result.outcomes['200'] ?? 0}`),
    row('sequential request before / after ms', (result) => `${ms(result.calmMs)} / ${ms(result.afterMs)}`),
    row(
      'RSS calm → peak MiB [≤ 1.3×]',
      (result) =>
        `${fixed(result.calmRssMiB, 0)} → ${fixed(result.peakRssMiB, 0)} (${ratio(result.peakRssMiB, result.calmRssMiB)})`,
    ),
    '',
  ];
}

/** Writes the report (formatted as the repo's prettier config wants it, so `npm run lint` stays green) and the chart. */
export async function writeReport(report: Report): Promise<void> {
  const { options, comparisons } = report;
  const cpu = cpus();
  const svgLink = relative(dirname(options.markdownPath) || '.', options.svgPath);
  const lines = [
    '# Benchmarks',
    '',
    ...(options.note ? [`> ${options.note}`, ''] : []),
    "`GET /api/v1/getcode`: the service (`nest build`, then `node dist/main.js` with the container's node flags) " +
      'against `bench/minimal.ts` (node:http, the same Azure SDK clients, undici), on the same local ' +
      'production-shaped stack: managed-identity endpoint and Key Vault doubles over HTTPS, Azurite with OAuth over ' +
      'HTTPS, a third party answering after a fixed delay. Each implementation runs in a fresh process per cell, ' +
      `alternating (${options.rounds} round${options.rounds > 1 ? 's' : ''}), ${options.warmupSeconds} s warm-up, ` +
      `${options.durationSeconds} s measured. CPU is the app process's user + system time (all threads) over the ` +
      'measured seconds, divided by the answers; peak RSS is its VmHWM; first answer is the time from spawning the ' +
      'process to its first code (start-up, key read, queue check). Every answer is checked (200, well-formed ' +
      'code) and the queue must hold a message for each.',
    '',
    `- Command: \`${options.command}\``,
    `- Machine: ${cpu[0]?.model ?? 'unknown CPU'}, ${cpu.length} cores, ${fixed(totalmem() / 2 ** 30, 0)} GiB, ` +
      `Node ${process.version}, load average before the run ${report.loadBefore.map((l) => fixed(l, 2)).join(' / ')}`,
    `- Date: ${new Date().toISOString()}`,
    '',
    `![latency percentiles and CPU per request, service against minimal](${svgLink})`,
    '',
    '## Service against minimal',
    '',
    ...absoluteTable(comparisons),
    '',
    'Ratios, service / minimal (requests/s: below 1× is slower; the others: above 1× is more):',
    '',
    ...ratioTable(comparisons),
    '',
    ...overloadSection(report.overloads),
    ...(report.profiles ? profileSection(report.profiles) : []),
    HISTORY,
  ];
  mkdirSync(dirname(options.markdownPath) || '.', { recursive: true });
  mkdirSync(dirname(options.svgPath), { recursive: true });
  const prettierOptions = (await prettier.resolveConfig(options.markdownPath)) ?? {};
  const markdown = await prettier.format(`${lines.join('\n')}\n`, { ...prettierOptions, parser: 'markdown' });
  writeFileSync(options.markdownPath, markdown);
  writeFileSync(options.svgPath, chart(comparisons));
}
