import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { checkAnswer } from '../../bench/load.js';

const run = promisify(execFile);

describe('npm run bench', () => {
  it('counts a wrong status or a malformed code as a failure, never as a fast answer', () => {
    expect(checkAnswer(200, '{"code":"aBc-42-XyZ","timestamp":"2026-11-30T00:00:00.000Z"}')).toBeUndefined();
    expect(checkAnswer(503, '{"code":"aBc-42-XyZ","timestamp":"2026-11-30T00:00:00.000Z"}')).toMatch(/^status 503/);
    expect(checkAnswer(200, '{"code":"aB-42-XyZ","timestamp":"2026-11-30T00:00:00.000Z"}')).toMatch(/^malformed/);
    expect(checkAnswer(200, '{"code":"aBc-42-XyZ"}')).toMatch(/^malformed/);
    expect(checkAnswer(200, 'not json')).toMatch(/^malformed/);
  });

  // Completion and correctness only: no test asserts a speed (the numbers live in BENCHMARKS.md).
  it('--quick runs the service and the minimal implementation end to end without an error', async () => {
    const { stdout } = await run(process.execPath, ['scripts/bench.ts', '--quick'], {
      env: { PATH: process.env.PATH ?? '' },
      maxBuffer: 16 * 1024 * 1024,
    });
    expect(stdout).toMatch(/^service\s.*req\/s/m);
    expect(stdout).toMatch(/^minimal\s.*req\/s/m);
    expect(stdout).not.toContain('FAILED');
    const report = readFileSync('test-output/bench/BENCHMARKS.md', 'utf8');
    expect(report).toMatch(/\| service +\|/);
    expect(report).toMatch(/\| minimal +\|/);
    expect(report).not.toContain('FAILED');
    expect(readFileSync('test-output/bench/bench.svg', 'utf8')).toMatch(/^<svg [\s\S]*<\/svg>\n$/);
  }, 180_000);
});
