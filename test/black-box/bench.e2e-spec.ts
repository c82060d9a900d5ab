import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { checkAnswer } from '../../bench/load.js';
import { type CpuProfile, LAYER_NAMES, timeByLayer } from '../../bench/profile.js';

const run = promisify(execFile);

describe('npm run bench', () => {
  it('counts a wrong status or a malformed code as a failure, never as a fast answer', () => {
    expect(checkAnswer(200, '{"code":"aBc-42-XyZ","timestamp":"2026-11-30T00:00:00.000Z"}')).toBeUndefined();
    expect(checkAnswer(503, '{"code":"aBc-42-XyZ","timestamp":"2026-11-30T00:00:00.000Z"}')).toMatch(/^status 503/);
    expect(checkAnswer(200, '{"code":"aB-42-XyZ","timestamp":"2026-11-30T00:00:00.000Z"}')).toMatch(/^malformed/);
    expect(checkAnswer(200, '{"code":"aBc-42-XyZ"}')).toMatch(/^malformed/);
    expect(checkAnswer(200, 'not json')).toMatch(/^malformed/);
  });

  it("charges each profile sample to the innermost layer on its stack, Node's own code to its caller", () => {
    const frame = (id: number, functionName: string, url: string, children: number[] = []) => ({
      id,
      callFrame: { functionName, url },
      children,
    });
    const modules = 'file:///app/node_modules';
    const profile: CpuProfile = {
      nodes: [
        frame(1, '(root)', '', [2, 7, 8]),
        frame(2, 'parserOnIncoming', 'node:_http_server', [3]),
        frame(3, 'handle', `${modules}/express/lib/application.js`, [4, 6]),
        frame(4, 'helmetMiddleware', `${modules}/helmet/index.mjs`, [5]),
        frame(5, 'setHeader', 'node:_http_outgoing'),
        frame(6, 'Socket._write', 'node:net', [9]),
        frame(7, '(garbage collector)', ''),
        frame(8, '(idle)', ''),
        frame(9, 'writeUtf8String', ''),
      ],
      startTime: 0,
      samples: [5, 5, 9, 3, 7, 8, 2],
      timeDeltas: [100, 100, 100, 100, 100, 100, 100],
    };
    const perRequest = Object.fromEntries(timeByLayer(profile, 2).map((layer) => [layer.name, layer.usPerRequest]));
    expect(perRequest).toMatchObject({
      [LAYER_NAMES.securityHeaders]: 100,
      [LAYER_NAMES.sockets]: 50,
      [LAYER_NAMES.framework]: 50,
      [LAYER_NAMES.gc]: 50,
      [LAYER_NAMES.node]: 50,
      [LAYER_NAMES.logging]: 0,
    });
    const sampled = (until: number) => timeByLayer(profile, 1, { fromUs: 0, toUs: until });
    expect(sampled(250).find((layer) => layer.name === LAYER_NAMES.securityHeaders)?.usPerRequest).toBe(200);
    expect(sampled(250).find((layer) => layer.name === LAYER_NAMES.sockets)?.usPerRequest).toBe(0);
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
