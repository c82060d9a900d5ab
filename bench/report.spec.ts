import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseOptions } from './options.js';
import type { OverloadResult } from './overload.js';
import { writeReport } from './report.js';
import { runResult } from './run-result.fixture.js';
import type { RunResult } from './runs.js';
import { compare } from './summary.js';

const cell = { delayMs: 0, connections: 10 };
const run = (implementation: RunResult['implementation'], failed = 0): RunResult =>
  runResult(implementation, cell, { failed, firstFailure: failed > 0 ? 'status 503: {}' : undefined });

describe('writeReport', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'aia-report-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  async function report(runs: RunResult[], overloads: OverloadResult[] = []): Promise<string> {
    const options = {
      ...parseOptions(['--quick']),
      markdownPath: join(dir, 'BENCHMARKS.md'),
      svgPath: join(dir, 'bench.svg'),
    };
    await writeReport({ options, comparisons: compare(runs, options.cells), overloads, loadBefore: [0, 0, 0] });
    expect(readFileSync(join(dir, 'bench.svg'), 'utf8')).toMatch(/^<svg [\s\S]*<\/svg>\n$/);
    return readFileSync(join(dir, 'BENCHMARKS.md'), 'utf8');
  }

  it('keeps the hand-written history of the hot path in every report it writes', async () => {
    const history = readFileSync('bench/history.md', 'utf8');
    const written = await report([run('service'), run('minimal')]);
    expect(written).toMatch(/^## How the hot path got here$/m);
    for (const item of history.split('\n').filter((line) => line.startsWith('- '))) {
      expect(written).toContain(item);
    }
  });

  it('shows each implementation, and marks a run that had wrong answers as FAILED', async () => {
    const written = await report([run('service', 2), run('minimal')]);
    expect(written).toMatch(/\| service +\|.*\*\*FAILED\*\* \(2: status 503: \{\}\)/);
    expect(written).toMatch(/\| minimal +\|.*\| ok +\|/);
  });

  it('shows the overload runs side by side, when there are any', async () => {
    const overload = (connections: OverloadResult['connections'], refusalsWellFormed: boolean): OverloadResult => ({
      implementation: 'service',
      connections,
      capacity: 600.4,
      rate: 1201,
      outcomes: { '200': 5000, '503 OVERLOADED': 12000 },
      okMs: { p50: 40, p99: 900, max: 1200 },
      refusedP99Ms: 30,
      steady: { okP99Ms: 700, refusedP99Ms: 20 },
      refusalsWellFormed,
      servedShare: 0.555,
      queued: 5000,
      calmMs: 25,
      afterMs: 26,
      calmRssMiB: 200,
      peakRssMiB: 250,
    });
    expect(await report([run('service'), run('minimal')])).not.toMatch(/^## Overload$/m);

    const written = await report([run('service'), run('minimal')], [overload('pooled', true), overload('new', false)]);
    expect(written).toMatch(/^## Overload$/m);
    expect(written).toMatch(
      /^\| answers +\| +200: 5000, 503 OVERLOADED: 12000 \| +200: 5000, 503 OVERLOADED: 12000 \|$/m,
    );
    expect(written).toMatch(/^\| 200s served, share of the capacity \[≥ 0\.80\] +\| +0\.56 \| +0\.56 \|$/m);
    expect(written).toMatch(/^\| refusals problem\+json with Retry-After +\| +yes \| +\*\*no\*\* \|$/m);
    expect(written).toMatch(/^\| RSS calm → peak MiB \[≤ 1\.3×\] +\| +200 → 250 \(1\.25×\) \|/m);
  });
});
