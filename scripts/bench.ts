/**
 * `npm run bench`: the production build against the minimal implementation in bench/, on the local
 * production-shaped stack. Options: `npm run bench -- --help`; results: BENCHMARKS.md.
 */
import '../bench/ts-hooks.ts';

const { runBench } = await import('../bench/main.ts');
process.exitCode = await runBench(process.argv.slice(2)).catch((error: unknown) => {
  process.stderr.write(`bench FAILED: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  return 1;
});
