import { hostname } from 'node:os';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { appDataDir, defaultDatabasePath } from '../core/paths';
import { ExperimentService } from '../service/experiment-service';
import { createAccessToken } from '../server/access-token';
import { openInBrowser } from '../server/open-browser';
import { rendererIsBuilt } from '../server/static-files';
import { startWorkbenchServer } from '../server/workbench-server';
import { TOKEN_PARAM } from '../api/websocket-api';
import { listenAddress, nonEmptyPath, portNumber } from './option-parsers';
import { errorMessage } from '../shared/error-message';
import { userPath } from './user-path';
import { queueCaOption } from './queue-commands';

interface ServeFlags {
  host: string;
  port: number;
  db?: string;
  open?: boolean;
  queue?: string;
}

/** The renderer electron-vite builds (`npm run build`), served as it is. */
export const RENDERER_DIR = fileURLToPath(new URL('../../out/renderer/', import.meta.url));

export function registerServeCommand(program: Command): void {
  program
    .command('serve')
    .description('Serve the workbench to a browser: its interface and API over HTTP and WebSocket.')
    .option(
      '--host <address>',
      'address to listen on: 127.0.0.1 (this machine only), 0.0.0.0 or :: (every interface); every address requires the access token printed at start',
      listenAddress,
      '127.0.0.1',
    )
    .option('--port <n>', 'port to listen on, 0 to 65535 (0: any free one)', portNumber, 7878)
    .option('--db <file>', 'run database (default: runs.sqlite in the app data folder)', (value: string) =>
      userPath(nonEmptyPath(value)),
    )
    .option('--open', 'open the workbench in the default browser')
    .option('--queue <url>', 'record the runs this database put on a Redis queue (redis://HOST:PORT; password from VGG_WORKBENCH_QUEUE_PASSWORD)')
    .addOption(queueCaOption())
    .action(async (flags: ServeFlags) => {
      process.exitCode = await runServe(flags);
    });
}

/** Node's listen errors in the flags' terms, with what would work instead. */
function listenFailure(error: unknown, flags: ServeFlags): string {
  const code = (error as NodeJS.ErrnoException).code;
  const hosts =
    'pass --host 127.0.0.1 (this machine only), 0.0.0.0 or :: (every interface), or an address of this machine';
  switch (code) {
    case 'EADDRINUSE':
      return `port ${flags.port} on ${flags.host} is in use: pass --port N (1024 to 65535, or 0 for any free one)`;
    case 'EACCES':
      return `port ${flags.port} needs administrator rights here: pass --port N from 1024 to 65535 (or 0 for any free one)`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
    case 'EAI_NONAME':
      return `--host ${flags.host} is not a name or address this machine can resolve: ${hosts}`;
    case 'EADDRNOTAVAIL':
      return `--host ${flags.host} is not an address of this machine: ${hosts}`;
    default:
      return `cannot listen on ${flags.host} port ${flags.port}: ${errorMessage(error)}`;
  }
}

async function runServe(flags: ServeFlags): Promise<number> {
  const databasePath = flags.db ?? defaultDatabasePath();
  const service = ExperimentService.open({ databasePath, dataDir: appDataDir(), ...(flags.queue ? { queueUrl: flags.queue } : {}) });
  // Like Jupyter: a token on every address, loopback included, since every account on this machine reaches loopback.
  const token = createAccessToken();
  let server;
  try {
    server = await startWorkbenchServer({ service, host: flags.host, port: flags.port, token, rendererDir: RENDERER_DIR });
  } catch (error) {
    await service.close();
    throw new Error(listenFailure(error, flags));
  }
  const query = `/?${TOKEN_PARAM}=${token}`;
  const wildcard = flags.host === '0.0.0.0' || flags.host === '::';
  const shown = wildcard ? server.url.replace(/\/\/[^/]+:/, `//${hostname()}:`) : server.url;
  const lines = [`VGG Workbench is serving ${shown}${query}`];
  if (wildcard) lines.push(`  on this machine: http://127.0.0.1:${server.port}${query}`);
  lines.push('  Anyone with this URL can train and delete runs here: keep the token to yourself.');
  lines.push(`  runs: ${databasePath}`);
  if (!rendererIsBuilt(RENDERER_DIR)) lines.push('  The interface is not built yet: run `npm run build` first (the API works without it).');
  lines.push('Press Ctrl+C to stop.');
  process.stdout.write(`${lines.join('\n')}\n`);

  if (flags.open) {
    const target = `${wildcard ? `http://127.0.0.1:${server.port}` : server.url}${query}`;
    if (!(await openInBrowser(target))) process.stderr.write(`Could not open a browser here; open ${target} yourself.\n`);
  }

  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  process.stdout.write('Stopping: cancelling queued runs and the running one…\n');
  await server.close();
  await service.close();
  return 0;
}
