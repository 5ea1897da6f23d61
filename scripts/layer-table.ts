/**
 * The main side's layers as data (VS Code's code-layering rule, as a table):
 * a folder of src-main may import only the folders it lists. The top level
 * reads shared ← api ← core ← worker ← queue ← service ← server / electron / cli;
 * the renderer's own edge is scripts/renderer-import-rule.ts.
 *
 * A file belongs to the longest folder below that holds it, so `core/models`
 * has its own row and the rest of core falls back to `core`. A target is
 * allowed when it lies in the importer's own folder or in a listed one.
 */
export interface LayerRule {
  /** Folders (relative to src-main, no trailing slash) this folder may import. */
  readonly mayImport: readonly string[];
  /** Folders whose `*.entry.ts` files this folder may start as threads or processes, beyond mayImport. */
  readonly mayStart?: readonly string[];
  /** Packages this folder may not import (a bare name also refuses its subpaths). */
  readonly mayNotImportPackages?: readonly string[];
  /** Why the row is what it is: printed with a violation. */
  readonly why: string;
}

const NO_ELECTRON = ['electron'];
/** What the renderer can also load may not reach for Node or Electron. */
const PURE = ['electron', 'node:', 'fs', 'path', 'os', 'child_process', 'worker_threads', 'http', 'net'];

/** The files of core/engine/ that every engine's folder may use. */
const ENGINE_FOLDER_MAY_IMPORT = [
  'shared',
  'api',
  'core/thread',
  'core/engine/engine-row.ts',
  'core/engine/engine-unavailable.ts',
  'core/engine/engine-packages.ts',
  'core/engine/installed-version.ts',
  'core/engine/machine-memory.ts',
  'core/engine/memory-limit.ts',
  'core/engine/run-memory.ts',
];
const ENGINE_FOLDER_WHY = 'an engine is a row in a folder of its own: it shares core/engine\'s row files, not another engine\'s';

export const LAYERS: Readonly<Record<string, LayerRule>> = {
  shared: { mayImport: [], mayNotImportPackages: PURE, why: 'values both builds compile: pure TypeScript, the bottom layer' },
  api: { mayImport: ['shared'], mayNotImportPackages: PURE, why: 'the API contract, loaded by the renderer too' },

  core: {
    mayImport: ['shared', 'api'],
    mayNotImportPackages: [...NO_ELECTRON, 'http', 'node:http', 'https', 'node:https'],
    why: 'the engine room: no service, worker, queue, server, electron or cli above it',
  },
  // Inside core: data and models know nothing of training, storage or engines;
  // the trainer asks engines through their table, never the store.
  'core/data': { mayImport: ['shared', 'api', 'core/paths.ts'], why: 'data sets: read, resized, batched' },
  'core/models': {
    mayImport: ['shared', 'api'],
    why: 'model builders: a checkpoint comes in through tfjs\'s IOHandler interface, never from core/store or core/checkpoint',
  },
  'core/checkpoint': { mayImport: ['shared', 'api', 'core/paths.ts'], why: 'checkpoint files: one folder, read and written here' },
  'core/thread': {
    mayImport: ['shared', 'api'],
    mayStart: ['core/train'],
    why: 'starts threads and names their entries: it imports nothing of core',
  },
  'core/engine': {
    mayImport: ['shared', 'api', 'core/thread', 'core/paths.ts'],
    why: 'engines are rows: they may not reach into the trainer, models or store',
  },
  // One folder per engine (loader, self-check, memory rule, buffer check, thread layout): it
  // reads the engine files every row shares, never another engine's folder.
  'core/engine/wasm': { mayImport: ENGINE_FOLDER_MAY_IMPORT, why: ENGINE_FOLDER_WHY },
  'core/engine/webgpu': { mayImport: ENGINE_FOLDER_MAY_IMPORT, why: ENGINE_FOLDER_WHY },
  'core/engine/native': { mayImport: ENGINE_FOLDER_MAY_IMPORT, why: ENGINE_FOLDER_WHY },
  'core/engine/cpu': { mayImport: ENGINE_FOLDER_MAY_IMPORT, why: ENGINE_FOLDER_WHY },
  'core/engine/pytorch': { mayImport: ENGINE_FOLDER_MAY_IMPORT, why: ENGINE_FOLDER_WHY },
  'core/train': {
    mayImport: ['shared', 'api', 'core/data', 'core/models', 'core/engine', 'core/checkpoint', 'core/thread', 'core/paths.ts'],
    why: 'the trainer asks engines through core/engine/engines.ts and writes checkpoints through core/checkpoint, not the store',
  },
  'core/store': {
    mayImport: ['shared', 'api', 'core/checkpoint', 'core/paths.ts'],
    why: 'the run store: rows in SQLite and checkpoint folders',
  },
  'core/bench': { mayImport: ['shared', 'api', 'core'], why: 'the benchmark drives the whole core' },

  worker: { mayImport: ['shared', 'api', 'core'], mayNotImportPackages: NO_ELECTRON, why: 'the training worker: runs core, posts events' },
  queue: {
    mayImport: ['shared', 'api', 'core', 'worker'],
    mayNotImportPackages: NO_ELECTRON,
    why: 'the Redis work queue sits below the service that fills it',
  },
  service: {
    mayImport: ['shared', 'api', 'core', 'worker', 'queue'],
    mayNotImportPackages: NO_ELECTRON,
    why: 'the one service every transport drives',
  },
  server: {
    mayImport: ['shared', 'api', 'core', 'worker', 'queue', 'service'],
    mayNotImportPackages: NO_ELECTRON,
    why: 'HTTP + WebSocket over the service, beside the cli: never electron or cli',
  },
  electron: {
    // The main process names each bundled entry and the replica entry's variable.
    // ask-child.ts and utility-child.ts: a utility process is asked the one way the CLI asks its children.
    mayImport: [
      'shared',
      'api',
      'core/paths.ts',
      'core/thread/replica-entry.ts',
      'core/thread/ask-child.ts',
      'core/thread/utility-child.ts',
      'service',
      'server',
      'queue',
    ],
    mayStart: ['core', 'worker'],
    why: 'window, preload and IPC: thin, over the service',
  },
  cli: {
    mayImport: ['shared', 'api', 'core', 'worker', 'queue', 'service', 'server'],
    mayNotImportPackages: NO_ELECTRON,
    why: 'the command line: the top layer beside electron and server, never electron',
  },
};

/**
 * The renderer's row (src-renderer/, another build): of src-main it may import
 * only these, enforced at build time by scripts/renderer-import-rule.ts.
 */
export const RENDERER: LayerRule = {
  mayImport: ['shared', 'api'],
  why: 'the renderer talks only to the API contract and the shared values',
};
