import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseOptions } from './options.js';
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

  async function report(runs: RunResult[]): Promise<string> {
    const options = {
      ...parseOptions(['--quick']),
      markdownPath: join(dir, 'BENCHMARKS.md'),
      svgPath: join(dir, 'bench.svg'),
    };
    await writeReport({ options, comparisons: compare(runs, options.cells), loadBefore: [0, 0, 0] });
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
});
