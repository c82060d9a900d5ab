/**
 * `npm run soak`: drives the local stack (Azurite, the reference API, the production build of the app) at a fixed
 * rate for a fixed time with autocannon, then reports errors, latency percentiles, and the app's RSS and heap at the
 * start and the end (from Node diagnostic reports, so the app needs no extra code).
 *
 *   SOAK_DURATION_SECONDS (600)  SOAK_RATE requests/s (100)  SOAK_CONNECTIONS (10)
 *   SOAK_MAX_OLD_SPACE_MB (unset): cap the app's heap; a leak then ends in an out-of-memory crash (errors).
 * Results: printed, and written to test-output/soak-<time>.json.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { ReferenceApi } from '../reference-api/main.ts';
import { freePort, waitForPort } from './ports.ts';

const durationSeconds = Number(process.env.SOAK_DURATION_SECONDS ?? 600);
const rate = Number(process.env.SOAK_RATE ?? 100);
const connections = Number(process.env.SOAK_CONNECTIONS ?? 10);
const KEY = 'soak-key-0123456789abcdef';
const children: ChildProcess[] = [];

interface Memory {
  rssMiB: number;
  heapUsedMiB: number;
  heapTotalMiB: number;
}

const mib = (bytes: number) => Math.round((bytes / 1024 / 1024) * 10) / 10;

/** Asks the app for a diagnostic report (SIGUSR2) and reads its memory figures. */
async function memoryOf(app: ChildProcess, reportDir: string): Promise<Memory> {
  const before = new Set(readdirSync(reportDir));
  app.kill('SIGUSR2');
  for (let i = 0; i < 100; i++) {
    const fresh = readdirSync(reportDir).filter((name) => !before.has(name));
    if (fresh.length > 0) {
      await new Promise((resolve) => setTimeout(resolve, 200)); // let the file be written completely
      const report = JSON.parse(readFileSync(join(reportDir, fresh[0] ?? ''), 'utf8')) as {
        resourceUsage: { rss: number };
        javascriptHeap: { usedMemory: number; totalMemory: number };
      };
      return {
        rssMiB: mib(report.resourceUsage.rss),
        heapUsedMiB: mib(report.javascriptHeap.usedMemory),
        heapTotalMiB: mib(report.javascriptHeap.totalMemory),
      };
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('no diagnostic report from the app');
}

async function main(): Promise<void> {
  execFileSync(process.execPath, ['node_modules/.bin/nest', 'build'], { stdio: 'inherit' });
  const azuritePort = await freePort();
  children.push(
    spawn(
      'node_modules/.bin/azurite-queue',
      [
        '--inMemoryPersistence',
        '--skipApiVersionCheck',
        '--loose',
        '--disableTelemetry',
        '--silent',
        '--queueHost',
        '127.0.0.1',
        '--queuePort',
        String(azuritePort),
      ],
      { stdio: 'ignore' },
    ),
  );
  await waitForPort(azuritePort);
  const referenceApi = new ReferenceApi([KEY]);
  const endpoint = await referenceApi.listen();

  const appPort = await freePort();
  const reportDir = mkdtempSync(join(tmpdir(), 'aia-soak-'));
  const heapCap = process.env.SOAK_MAX_OLD_SPACE_MB
    ? [`--max-old-space-size=${process.env.SOAK_MAX_OLD_SPACE_MB}`]
    : [];
  const nodeArgs = ['--report-on-signal', '--report-signal=SIGUSR2', `--report-directory=${reportDir}`, ...heapCap];
  const app = spawn(process.execPath, [...nodeArgs, 'dist/main.js'], {
    env: {
      PATH: process.env.PATH,
      NODE_ENV: 'test',
      LOG_LEVEL: 'warn',
      PORT: String(appPort),
      THIRD_PARTY_API_ENDPOINT: endpoint,
      THIRD_PARTY_API_KEY: KEY,
      AZURE_STORAGE_CONNECTION_STRING: `DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;QueueEndpoint=http://127.0.0.1:${azuritePort}/devstoreaccount1;`,
      RATE_LIMIT_PER_CLIENT: '1000000',
      RATE_LIMIT_GLOBAL: '1000000',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  children.push(app);
  await waitForPort(appPort);
  await new Promise((resolve) => setTimeout(resolve, 2_000)); // start-up diagnostics done, queue created

  const start = await memoryOf(app, reportDir);
  process.stdout.write(
    `soak: ${rate} req/s over ${connections} connections for ${durationSeconds} s against GET /api/v1/getcode\n`,
  );
  const result = await autocannon({
    url: `http://127.0.0.1:${appPort}/api/v1/getcode`,
    connections,
    overallRate: rate,
    duration: durationSeconds,
  });
  const end = await memoryOf(app, reportDir);

  const summary = {
    when: new Date().toISOString(),
    node: process.version,
    durationSeconds,
    targetRate: rate,
    connections,
    maxOldSpaceMb: process.env.SOAK_MAX_OLD_SPACE_MB ?? null,
    requests: result.requests.total,
    throughputPerSecond: Math.round(result.requests.average),
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    latencyMs: { p50: result.latency.p50, p90: result.latency.p90, p99: result.latency.p99, max: result.latency.max },
    memory: { start, end },
    thirdPartyCalls: referenceApi.stats.requests,
  };
  mkdirSync('test-output', { recursive: true });
  const file = join('test-output', `soak-${summary.when.replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, `${JSON.stringify(summary, null, 2)}\n`);
  process.stdout.write(`${JSON.stringify(summary, null, 2)}\nwritten to ${file}\n`);
  await referenceApi.close();
}

function stopAll(): void {
  for (const child of children) child.kill('SIGKILL');
}

await main().finally(stopAll);
