import { Command, Option } from 'commander';
import { ENGINE_IDS, type EngineChoice } from '../shared/train/run-config';
import { addPythonFlag } from './python-flag';
import { formatBytes } from '../shared/format';
import { hostname } from 'node:os';
import { parseQueueUrl, QueueUrlError, type QueueAddress } from '../queue/queue-url';
import { QUEUE_CA_ENV, QueueCaError } from '../queue/queue-tls';
import { checkQueueReachable } from '../queue/redis-connection';
import { ensureFashionMnist } from './ensure-dataset';
import { nonNegativeInt } from './option-parsers';
import { UsageError } from './usage-error';
import { userPath } from './user-path';
import { alignColumns } from './text-table';
import { openRunStore } from './runs-command';
import { WORKER_NAME_MAX_LENGTH } from '../shared/runs/run-limits';

/** `--queue URL`, parsed: a bad URL is a usage error naming the URL without its password. */
export function queueAddress(url: string): QueueAddress {
  try {
    return parseQueueUrl(url);
  } catch (error) {
    if (error instanceof QueueUrlError || error instanceof QueueCaError) throw new UsageError(error.message);
    throw error;
  }
}

/** `--queue-ca FILE`, on every command that takes --queue. */
export const queueCaOption = (): Option =>
  new Option('--queue-ca <file>', `PEM file of the private CA that signed a rediss:// server's certificate (also ${QUEUE_CA_ENV})`);

/** Run before each command's action: the flag goes where every parse of a queue URL looks (the environment of this process). */
export function useQueueCaFlag(options: { queueCa?: unknown }): void {
  if (typeof options.queueCa === 'string') process.env[QUEUE_CA_ENV] = userPath(options.queueCa);
}

const mebibytes = (value: string): number => nonNegativeInt(value) * 1024 * 1024;
/** The checkpoint size, in MB, above which a worker keeps it and a hub refuses it (queue-worker.ts, queue-hub.ts). */
const DEFAULT_TRANSFER_MAX_MB = 256;

/** `--checkpoint-transfer-max MB`, in MB as typed and shown, in bytes as parsed. */
export const checkpointTransferMaxOption = (help: string): Option =>
  new Option('--checkpoint-transfer-max <MB>', help).argParser(mebibytes).default(DEFAULT_TRANSFER_MAX_MB * 1024 * 1024, String(DEFAULT_TRANSFER_MAX_MB));

/** `--name`: it names the worker's Redis key, its folder and every note it leaves on a run. */
function workerName(value: string): string {
  if (value.trim() === '') throw new UsageError('--name cannot be empty');
  if (value.length > WORKER_NAME_MAX_LENGTH) throw new UsageError(`--name is ${value.length} characters long: at most ${WORKER_NAME_MAX_LENGTH}`);
  return value;
}

/** Test hook: shorter lock and stalled-check times, as LOCK_MS,STALLED_MS (the defaults are in queue-worker.ts). */
const TIMINGS_ENV = 'VGG_WORKBENCH_QUEUE_TIMINGS';

interface WorkerFlags {
  queue: string;
  name?: string;
  engine: EngineChoice;
  data?: string;
  checkpointTransferMax: number;
}

/**
 * `worker`, `workers` and `runs sync`: the shell of the Redis queue
 * (src-main/queue). Loaded on demand: the worker pulls in BullMQ and tfjs.
 */
export function registerQueueCommands(program: Command): void {
  const worker = program
    .command('worker')
    .description('Take runs from a Redis queue, train them here and stream every event back to the hub that launched them.')
    .requiredOption('--queue <url>', 'redis://[:password@]HOST:PORT[/DB] or rediss://… (password also from VGG_WORKBENCH_QUEUE_PASSWORD)')
    .addOption(queueCaOption())
    .option('--name <name>', 'how this worker is listed (default: the host name)', workerName)
    .addOption(new Option('--engine <engine>', 'engine for every run (a TensorFlow.js backend, or pytorch)').choices(['auto', ...ENGINE_IDS]).default('auto'))
    .option('--data <dir>', 'folder holding the four Fashion-MNIST IDX files (default: located or downloaded as for train)', userPath)
    .addOption(checkpointTransferMaxOption('larger checkpoints stay on this worker instead of going to the hub'));
  addPythonFlag(worker)
    .action(async (flags: WorkerFlags) => {
      process.exitCode = await runWorker(flags);
    });

  program
    .command('workers')
    .description('List the workers serving a Redis queue (name, host, engine, state, current run, last heartbeat).')
    .requiredOption('--queue <url>', 'redis://[:password@]HOST:PORT[/DB]')
    .addOption(queueCaOption())
    .option('--json', 'print JSON')
    .action(async (flags: { queue: string; json?: boolean }) => {
      const address = queueAddress(flags.queue);
      await checkQueueReachable(address);
      const { openRedis } = await import('../queue/redis-connection');
      const { listWorkers } = await import('../queue/list-workers');
      const redis = openRedis(address, (line) => process.stderr.write(`warning: ${line}\n`));
      try {
        const workers = await listWorkers(redis);
        if (flags.json) {
          process.stdout.write(`${JSON.stringify(workers)}\n`);
          return;
        }
        if (workers.length === 0) {
          process.stdout.write(`no workers on ${address.display}\n`);
          return;
        }
        const now = Date.now();
        const rows = workers.map((w) => [
          w.name, w.host, w.engine, w.adapter ?? '-', w.state, w.runId ?? '-', formatBytes(w.freeMemoryBytes), `${Math.round((now - w.heartbeatAt) / 1000)} s ago`,
        ]);
        process.stdout.write(`${alignColumns([['name', 'host', 'engine', 'adapter', 'state', 'run', 'free memory', 'heartbeat'], ...rows]).join('\n')}\n`);
      } finally {
        redis.disconnect();
      }
    });
}

/** `runs sync --queue URL`: records what the workers streamed while this hub was away. */
export function registerRunsSync(runs: Command): void {
  runs
    .command('sync')
    .description('Record every event the queue holds for runs this database launched (after the hub was closed or killed).')
    .requiredOption('--queue <url>', 'redis://[:password@]HOST:PORT[/DB]')
    .addOption(queueCaOption())
    .option('--db <file>', 'the hub database (default: the app’s)', userPath)
    .option('--follow', 'keep recording until those runs end')
    .addOption(checkpointTransferMaxOption('larger checkpoints from a worker are not taken'))
    .action(async (flags: { queue: string; db?: string; follow?: boolean; checkpointTransferMax: number }) => {
      const { QueueHub } = await import('../queue/queue-hub');
      const store = openRunStore(flags.db);
      const hub = await QueueHub.open(queueAddress(flags.queue), store, (line) => process.stderr.write(`${line}\n`), {
        checkpointTransferMaxBytes: flags.checkpointTransferMax,
      });
      try {
        const results = await hub.sync({ live: flags.follow === true });
        if (results.length === 0) process.stdout.write('nothing to sync: no run of this database is on the queue\n');
        for (const r of results) {
          // Another process of this hub (the app, a train --queue) records it: this one only read along.
          const what = r.recordedBy ? `${r.recorded} event(s) seen, recorded by ${r.recordedBy}` : `${r.recorded} event(s) recorded`;
          process.stdout.write(`${r.runId}: ${what}${r.ended ? ', run ended' : ', still training'}\n`);
        }
      } finally {
        await hub.close();
        store.close();
      }
    });
}

async function runWorker(flags: WorkerFlags): Promise<number> {
  const address = queueAddress(flags.queue);
  await checkQueueReachable(address);
  const dataDir = await ensureFashionMnist(flags.data, { quiet: false });
  const { QueueWorker, QUEUE_TIMINGS } = await import('../queue/queue-worker');
  const timings = process.env[TIMINGS_ENV]?.split(',').map(Number);
  const log = (line: string): void => {
    process.stderr.write(`${new Date().toISOString()} ${line}\n`);
  };
  const worker = new QueueWorker({
    address,
    name: flags.name ?? hostname(),
    engine: flags.engine,
    dataDir,
    checkpointTransferMaxBytes: flags.checkpointTransferMax,
    timings:
      timings?.length === 2 && timings.every((t) => t > 0)
        ? { ...QUEUE_TIMINGS, lockMs: timings[0]!, stalledIntervalMs: timings[1]! }
        : QUEUE_TIMINGS,
    log,
  });
  await worker.start();
  // SIGTERM (and Ctrl-C): finish the batch, hand the run back, leave.
  await new Promise<void>((resolve) => {
    const stop = (): void => {
      process.off('SIGTERM', stop);
      process.off('SIGINT', stop);
      resolve();
    };
    process.on('SIGTERM', stop);
    process.on('SIGINT', stop);
  });
  await worker.stop();
  log('worker stopped');
  return 0;
}
