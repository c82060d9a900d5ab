import { containerNodeArgs, parseOptions } from './options.js';

describe('parseOptions', () => {
  it('--quick measures one short cell and writes to test-output/, never over the committed report', () => {
    const options = parseOptions(['--quick']);
    expect(options).toMatchObject({ rounds: 1, cells: [{ delayMs: 0, connections: 10 }] });
    expect(options.markdownPath).toBe('test-output/bench/BENCHMARKS.md');
    expect(options.svgPath).toBe('test-output/bench/bench.svg');
  });

  it('by default measures four cells into BENCHMARKS.md and docs/bench.svg, and records the command', () => {
    const options = parseOptions(['--rounds', '3', '--note', "it's quiet"]);
    expect(options.cells).toHaveLength(4);
    expect(options).toMatchObject({ markdownPath: 'BENCHMARKS.md', svgPath: 'docs/bench.svg', rounds: 3 });
    expect(options.command).toBe(`npm run bench -- --rounds 3 --note 'it'\\''s quiet'`);
  });

  it('refuses nonsense and unknown options instead of ignoring them', () => {
    expect(() => parseOptions(['--duration', '0'])).toThrow(/--duration/);
    expect(() => parseOptions(['--rounds', '1.5'])).toThrow(/--rounds/);
    expect(() => parseOptions(['--costs'])).toThrow(/Unknown option/);
  });
});

describe('containerNodeArgs', () => {
  const dockerfile = (cmd: string) =>
    `FROM node:24-slim AS build\nCMD ["node", "scripts/other.js"]\nFROM node:24-slim AS app\n${cmd}\n`;

  it("runs the service with the node flags of the app stage's CMD", () => {
    expect(containerNodeArgs(dockerfile('CMD ["node", "--max-semi-space-size=8", "dist/main.js"]'))).toEqual([
      '--max-semi-space-size=8',
    ]);
    expect(containerNodeArgs(dockerfile('CMD ["node", "dist/main.js"]'))).toEqual([]);
  });

  it('fails when no CMD runs dist/main.js with node', () => {
    expect(() => containerNodeArgs(dockerfile('CMD ["npm", "start"]'))).toThrow(/no `CMD/);
    expect(() => containerNodeArgs(dockerfile('CMD ["bun", "dist/main.js"]'))).toThrow(/no `CMD/);
  });
});
