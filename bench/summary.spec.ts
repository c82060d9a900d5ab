import type { Cell } from './options.js';
import { runResult } from './run-result.fixture.js';
import type { RunResult } from './runs.js';
import { benchProblems, compare } from './summary.js';

const CELLS: Cell[] = [
  { delayMs: 0, connections: 1 },
  { delayMs: 20, connections: 1 },
];

const run = runResult;

const everyCell = (): RunResult[] => CELLS.flatMap((cell) => [run('service', cell), run('minimal', cell)]);

describe('benchProblems (what makes npm run bench exit 1)', () => {
  it('finds none when every implementation answered every cell correctly', () => {
    expect(benchProblems(everyCell(), CELLS)).toEqual([]);
  });

  it('names each run with wrong or missing answers, with its first failure', () => {
    const runs = [...everyCell(), run('service', CELLS[0]!, { failed: 3, firstFailure: 'status 503: {}' })];
    expect(benchProblems(runs, CELLS)).toEqual(['service, third party 0 ms, 1 conn.: 3 failed, first: status 503: {}']);
  });

  it('names each cell an implementation has no result for', () => {
    const runs = everyCell().filter((r) => !(r.implementation === 'minimal' && r.cell.delayMs === 20));
    expect(benchProblems(runs, CELLS)).toEqual(['minimal, third party 20 ms, 1 conn.: no result']);
  });
});

describe('compare', () => {
  it('combines the rounds of each implementation per cell: total answers over total seconds and CPU', () => {
    const cell = CELLS[0]!;
    const runs = [
      run('service', cell, { ok: 100, seconds: 2, cpuSeconds: 0.3, peakRssMiB: 120 }),
      run('service', cell, { ok: 300, seconds: 2, cpuSeconds: 0.5, peakRssMiB: 110 }),
      run('minimal', cell),
    ];
    const [comparison] = compare(runs, [cell]);
    expect(comparison?.service).toMatchObject({
      requests: 400,
      requestsPerSecond: 100,
      cpuMsPerRequest: 2,
      peakRssMiB: 120,
    });
    expect(compare(runs, CELLS)).toHaveLength(1);
  });
});
