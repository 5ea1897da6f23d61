import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { Redis } from 'ioredis';
import { REAL_DATA_DIR } from '../helpers/fashion-mnist';

/** A port nobody listens on right now (the kernel's choice). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/**
 * A redis-server of the test's own, on a free port in a temp folder, with an
 * append-only file (a restart keeps the queue), stopped by its pid.
 */
export class TestRedis {
  private process: ChildProcess | undefined;
  readonly dir = mkdtempSync(join(tmpdir(), 'vgg-redis-'));

  private constructor(readonly port: number, private readonly password?: string) {}

  static async start(options: { password?: string } = {}): Promise<TestRedis> {
    const redis = new TestRedis(await freePort(), options.password);
    await redis.launch();
    return redis;
  }

  get url(): string {
    return `redis://${this.password ? `:${this.password}@` : ''}127.0.0.1:${this.port}`;
  }

  client(): Redis {
    return new Redis({ host: '127.0.0.1', port: this.port, password: this.password, maxRetriesPerRequest: null });
  }

  async launch(): Promise<void> {
    const args = ['--port', String(this.port), '--bind', '127.0.0.1', '--dir', this.dir, '--appendonly', 'yes', '--save', '', '--daemonize', 'no'];
    if (this.password) args.push('--requirepass', this.password);
    const child = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    this.process = child;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('redis-server did not start in 10 s')), 10_000);
      child.once('exit', (code) => reject(new Error(`redis-server exited with ${code}`)));
      createInterface({ input: child.stdout! }).on('line', (line) => {
        if (/Ready to accept connections/.test(line)) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
  }

  /** SIGTERM (Redis writes its append-only file and leaves), waited for. */
  async stop(): Promise<void> {
    const child = this.process;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
    this.process = undefined;
  }

  async restart(): Promise<void> {
    await this.stop();
    await this.launch();
  }
}

const CLI = ['--import', 'tsx', 'src-main/cli/main.ts'];

/** Short lock and stalled-check times so a killed worker's run is retaken in seconds (the defaults: 15 s and 10 s). */
export const FAST_TIMINGS = '4000,2000';

export interface Spawned {
  child: ChildProcess;
  stdout: string[];
  stderr: string[];
  /** Resolves with the exit code. */
  exited: Promise<number | null>;
  /** Resolves with the first line (stdout or stderr) that matches. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<string>;
}

export function spawnCli(args: string[], env: NodeJS.ProcessEnv = {}): Spawned {
  const child = spawn(process.execPath, [...CLI, ...args], {
    env: { ...process.env, VGG_WORKBENCH_QUEUE_TIMINGS: FAST_TIMINGS, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const stdout: string[] = [];
  const stderr: string[] = [];
  const watchers: { pattern: RegExp; resolve: (line: string) => void }[] = [];
  const onLine = (into: string[]) => (line: string) => {
    into.push(line);
    for (const w of [...watchers]) {
      if (w.pattern.test(line)) {
        watchers.splice(watchers.indexOf(w), 1);
        w.resolve(line);
      }
    }
  };
  createInterface({ input: child.stdout! }).on('line', onLine(stdout));
  createInterface({ input: child.stderr! }).on('line', onLine(stderr));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    child,
    stdout,
    stderr,
    exited,
    waitFor: (pattern, timeoutMs = 60_000) => {
      const seen = [...stdout, ...stderr].find((line) => pattern.test(line));
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no line matching ${pattern} in ${timeoutMs} ms:\n${[...stdout.slice(-5), ...stderr.slice(-20)].join('\n')}`)), timeoutMs);
        watchers.push({ pattern, resolve: (line) => (clearTimeout(timer), resolve(line)) });
      });
    },
  };
}

export function spawnWorker(url: string, name: string, env: NodeJS.ProcessEnv = {}): Spawned {
  return spawnCli(['worker', '--queue', url, '--name', name, '--engine', 'wasm', '--data', REAL_DATA_DIR], env);
}

/** Stops what a test started, by pid; a child already gone is fine. */
export async function stopAll(children: Spawned[], signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
  await Promise.all(
    children.map(async (c) => {
      if (c.child.exitCode === null && c.child.signalCode === null) c.child.kill(signal);
      await c.exited;
    }),
  );
}
