import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { waitForPort } from '../scripts/ports.ts';

let clockTicksPerSecond: number | undefined;
/** /proc's unit of CPU time, asked once (on first use, so importing this module starts no process). */
const clockTicks = (): number =>
  (clockTicksPerSecond ??= Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100);

/**
 * One implementation under test as a child process: `node <nodeArgs> <script>` with exactly the given environment
 * (plus PATH), its output in a file (so logging costs the app what it costs in production, and the load
 * generator's event loop nothing). Reads the process's own CPU time and peak RSS from /proc.
 */
export class MeasuredProcess {
  readonly exited: Promise<unknown>;
  private readonly child: ChildProcess;

  constructor(
    script: string,
    nodeArgs: string[],
    env: Record<string, string>,
    readonly logPath: string,
  ) {
    const log = openSync(logPath, 'w');
    this.child = spawn(process.execPath, [...nodeArgs, script], {
      env: { PATH: process.env.PATH ?? '', ...env },
      stdio: ['ignore', log, log],
    });
    closeSync(log);
    this.exited = once(this.child, 'exit');
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  get output(): string {
    return readFileSync(this.logPath, 'utf8');
  }

  async waitForPort(port: number): Promise<void> {
    await Promise.race([
      waitForPort(port, 120_000),
      this.exited.then(() => {
        throw new Error(`exited before listening:\n${this.output.slice(-2000)}`);
      }),
    ]);
  }

  /** User + system CPU seconds of the whole process (all threads: JS, GC, libuv pool) since it started. */
  cpuSeconds(): number {
    const stat = readFileSync(`/proc/${this.child.pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / clockTicks();
  }

  /** Peak resident set size (VmHWM) in MiB since the process started. */
  peakRssMiB(): number {
    return this.statusMiB('VmHWM');
  }

  /** Resident set size (VmRSS) in MiB now. */
  rssMiB(): number {
    return this.statusMiB('VmRSS');
  }

  private statusMiB(field: 'VmHWM' | 'VmRSS'): number {
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(
      readFileSync(`/proc/${this.child.pid}/status`, 'utf8'),
    );
    return match ? Number(match[1]) / 1024 : NaN;
  }

  /** SIGTERM (a clean exit writes the --cpu-prof profile), then SIGKILL if it lingers. */
  async stop(): Promise<void> {
    if (!this.running) {
      return;
    }
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 15_000);
    await this.exited;
    clearTimeout(timer);
  }
}
