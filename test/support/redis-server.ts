import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createClient } from '@redis/client';
import { freePort } from '../../scripts/ports.js';
import type { TestPki } from '../doubles/test-pki.js';
import { followChild } from './child-processes.js';

/**
 * What an ACL user made by `setUser` may run, on any key: the handshake
 * (HELLO, AUTH, PING, CLIENT SETNAME/SETINFO: `@connection` without its
 * admin commands) and the rate-limit store's Lua scripts with the commands
 * they call.
 */
export const RATE_LIMIT_USER_RULES = [
  ...['~*', '+@connection', '-@admin', '-@dangerous'],
  ...['+eval', '+evalsha', '+script|load', '+script|exists', '+get', '+incr', '+pexpire', '+pttl'],
];

const ADMIN_USER = 'harness-admin';
const READY = /Ready to accept connections/;
const START_TIMEOUT_MS = 10_000;

type AdminClient = Awaited<ReturnType<typeof connectAdmin>>;

/** The harness's own connection: no client info or maintenance handshake, so it adds only its HELLO to the counters. */
async function connectAdmin(socket: RedisServer['socket'], password: string) {
  const admin = createClient({
    socket: { ...socket, reconnectStrategy: false },
    username: ADMIN_USER,
    password,
    disableClientInfo: true,
    maintNotifications: 'disabled',
  });
  admin.on('error', () => undefined); // a stopped server is expected; each command still rejects
  return admin.connect();
}

/**
 * A real `redis-server` on a loopback port, in memory, TLS only (the test
 * PKI's certificate; clients are not asked for one), with the `default` user
 * off: every client logs in as an ACL user, as on Azure Managed Redis with
 * Microsoft Entra authentication (user = the token's object id, password =
 * the token). ACL users set here survive `restart()`; data and counters do not.
 *
 * Counters: @redis/client 6 speaks RESP3 by default (`DEFAULT_RESP = 3`), so
 * each new connection logs in with `HELLO 3 AUTH <user> <token>`
 * (`commandCount('hello')`, which also counts the harness's own connection,
 * once per start) and re-authenticating a live connection is a plain
 * `AUTH <user> <token>` (`commandCount('auth')`). With RESP2 the handshake is an AUTH too.
 */
export class RedisServer {
  /** What redis-server wrote to stdout and stderr since the last start. */
  output = '';
  private readonly adminPassword = randomBytes(16).toString('hex');
  private readonly users = new Map<string, string[]>();
  private port = 0;
  private child?: ChildProcess;
  private gone: Promise<void> = Promise.resolve();
  private admin?: AdminClient;

  constructor(private readonly pki: Pick<TestPki, 'certPath' | 'keyPath' | 'caCertPath' | 'caCert'>) {}

  get url(): string {
    return `rediss://127.0.0.1:${this.port}`;
  }

  /** @redis/client socket options for this server: TLS, trusting the test CA. */
  get socket(): { host: string; port: number; tls: true; ca: string } {
    return { host: '127.0.0.1', port: this.port, tls: true, ca: this.pki.caCert };
  }

  /**
   * Starts redis-server on a free port, or on the same one after `stop()`,
   * and resolves once it accepts connections and has its ACL users back.
   * Rejects at once, with the output, if the process ends first.
   */
  async start(): Promise<void> {
    this.port ||= await freePort();
    this.output = '';
    const child = spawn('redis-server', this.args(), { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    this.gone = followChild(child);
    try {
      await this.ready(child);
      this.admin = await connectAdmin(this.socket, this.adminPassword);
      for (const [name, passwords] of this.users) {
        await this.applyUser(name, passwords);
      }
    } catch (error) {
      await this.stop();
      throw error;
    }
  }

  /** Kills redis-server (as a crash would: no goodbye to clients) and resolves once it has exited. */
  async stop(): Promise<void> {
    if (this.admin?.isOpen) {
      this.admin.destroy();
    }
    this.admin = undefined;
    this.child?.kill('SIGKILL');
    await this.gone;
  }

  /** Redis going away and coming back: `stop()`, then `start()` on the same port. */
  async restart(): Promise<void> {
    await this.stop();
    await this.start();
  }

  /**
   * Creates or replaces ACL user `name` (`RATE_LIMIT_USER_RULES`), who logs
   * in with any of `passwords`; while stopped, at the next start. Connections
   * already logged in stay so: Redis checks a password only at HELLO and AUTH.
   */
  async setUser(name: string, ...passwords: string[]): Promise<void> {
    this.users.set(name, passwords);
    if (this.admin) {
      await this.applyUser(name, passwords);
    }
  }

  /**
   * Makes `password` the user's newest password and keeps the one before it,
   * so a connection that logs in with the previous token while it is being
   * replaced is not refused. Fits `ManagedIdentityEndpoint.onToken`.
   */
  rotatePassword(name: string, password: string): Promise<void> {
    const previous = this.users.get(name)?.[0];
    return this.setUser(name, password, ...(previous === undefined ? [] : [previous]));
  }

  /** Successful calls of `command` since start, from INFO commandstats (a subcommand as `client|setinfo`). */
  async commandCount(command: string): Promise<number> {
    const prefix = `cmdstat_${command.toLowerCase()}:`;
    const line = (await this.adminClient().info('commandstats')).split('\r\n').find((l) => l.startsWith(prefix));
    const stats = new Map(
      (line?.slice(prefix.length).split(',') ?? []).map((pair) => pair.split('=') as [string, string]),
    );
    return Number(stats.get('calls') ?? 0) - Number(stats.get('failed_calls') ?? 0);
  }

  /** Refused logins (HELLO or AUTH with a wrong password or user) since start, from ACL LOG; only `user`'s if given. */
  async authFailures(user?: string): Promise<number> {
    const entries = await this.adminClient().aclLog();
    return entries
      .filter((entry) => entry.reason === 'auth' && (user === undefined || entry.username === user))
      .reduce((sum, entry) => sum + entry.count, 0);
  }

  /** Every string key matching `pattern`, sorted, with its value and its PTTL (-1: no expiry). */
  async entries(pattern = '*'): Promise<{ key: string; value: string | null; ttlMs: number }[]> {
    const admin = this.adminClient();
    const keys = (await admin.keys(pattern)).sort();
    return Promise.all(
      keys.map(async (key) => ({
        key,
        value: await admin.get(key),
        ttlMs: await admin.pTTL(key),
      })),
    );
  }

  /** Connections logged in as `user` now. */
  async clientCount(user: string): Promise<number> {
    return (await this.adminClient().clientList()).filter((client) => client.user === user).length;
  }

  /** Closes every connection logged in as `user`, as Azure does when a connection's token expires; resolves with their number. */
  disconnect(user: string): Promise<number> {
    return this.adminClient().clientKill({ filter: 'USER', username: user });
  }

  private args(): string[] {
    const { certPath, keyPath, caCertPath } = this.pki;
    return [
      ...['--bind', '127.0.0.1', '--port', '0', '--tls-port', String(this.port), '--tls-auth-clients', 'no'],
      ...['--tls-cert-file', certPath, '--tls-key-file', keyPath, '--tls-ca-cert-file', caCertPath],
      ...['--save', '', '--appendonly', 'no'],
      ...['--user', 'default', 'off', '--user', ADMIN_USER, 'on', `>${this.adminPassword}`, '~*', '&*', '+@all'],
    ];
  }

  /** Resolves when redis-server logs that it is ready; rejects if it ends (or never started) first. */
  private ready(child: ChildProcess): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const fail = (reason: string) => reject(new Error(`redis-server ${reason}:\n${this.output}`));
      const timer = setTimeout(() => fail(`was not ready after ${START_TIMEOUT_MS} ms`), START_TIMEOUT_MS);
      const record = (chunk: Buffer) => {
        this.output += chunk.toString();
        if (READY.test(this.output)) {
          clearTimeout(timer);
          resolve();
        }
      };
      child.stdout?.on('data', record);
      child.stderr?.on('data', record);
      child.once('error', (error) => (this.output += `${error.message}\n`));
      void this.gone.then(() => {
        clearTimeout(timer);
        fail(`ended before it was ready (${child.signalCode ?? child.exitCode ?? 'never started'})`);
      });
    });
  }

  private async applyUser(name: string, passwords: string[]): Promise<void> {
    const secrets = passwords.map((password) => `>${password}`);
    await this.adminClient().aclSetUser(name, ['reset', 'on', ...secrets, ...RATE_LIMIT_USER_RULES]);
  }

  private adminClient(): AdminClient {
    if (!this.admin) {
      throw new Error('redis-server is not running: start() it first');
    }
    return this.admin;
  }
}
