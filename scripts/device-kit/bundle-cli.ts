import { build, type Plugin } from 'esbuild';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

/**
 * Bundles the kit's program (kit-entry.ts: the CLI, the bench, the agreement
 * check, with tfjs and its webgpu backend) into one ESM file for Node 20.
 * Native modules stay out: Dawn is loaded by path at run time, tfjs-node is
 * an engine the kit does not carry (its probe says it is not installed), and
 * SQLite is replaced by a module that refuses with the reason, because the
 * kit's commands (engines, agreement, bench) never open the store.
 */

const ENTRY = fileURLToPath(new URL('./kit-entry.ts', import.meta.url));

/** Optional or native packages imported only on demand; missing in the kit, each is reported where it is asked for. */
const EXTERNAL = ['@tensorflow/tfjs-node', '@tensorflow/tfjs-node-gpu', 'electron', 'bufferutil', 'utf-8-validate', 'msgpackr-extract'];

const NO_SQLITE = `
export default class Database {
  constructor() {
    throw new Error('the device kit carries no SQLite store (better-sqlite3): it runs engines, agreement and bench; train and runs need the workbench installed');
  }
}
`;

/** better-sqlite3 → a class whose constructor refuses: the store's modules load, and only opening a database fails. */
const noSqlite: Plugin = {
  name: 'no-sqlite',
  setup(builder) {
    builder.onResolve({ filter: /^better-sqlite3$/ }, () => ({ path: 'better-sqlite3', namespace: 'no-sqlite' }));
    builder.onLoad({ filter: /.*/, namespace: 'no-sqlite' }, () => ({ contents: NO_SQLITE, loader: 'js' }));
  },
};

/** Engine packages whose version the engines report; bundled, they have no package.json to read. */
const VERSIONED = ['@tensorflow/tfjs', '@tensorflow/tfjs-backend-webgpu', '@tensorflow/tfjs-backend-cpu', '@tensorflow/tfjs-backend-wasm'];

function versionOf(name: string): string | undefined {
  try {
    const require = createRequire(import.meta.url);
    return (require(`${name}/package.json`) as { version?: string }).version;
  } catch {
    return undefined;
  }
}

/** core/engine/installed-version.ts → the versions bundled, read here at build time, so the kit's engines name them. */
const bundledVersions: Plugin = {
  name: 'bundled-versions',
  setup(builder) {
    builder.onLoad({ filter: /[\\/]core[\\/]engine[\\/]installed-version\.ts$/ }, () => {
      const versions = Object.fromEntries(VERSIONED.flatMap((name) => {
        const version = versionOf(name);
        return version === undefined ? [] : [[name, version]];
      }));
      return {
        contents: `const VERSIONS = ${JSON.stringify(versions)};\nexport function installedVersion(name) { return VERSIONS[name]; }\n`,
        loader: 'js',
      };
    });
  },
};

/** CommonJS packages bundled into ESM still call require() for Node built-ins: give the bundle one. */
const REQUIRE_BANNER = "import { createRequire as __kitCreateRequire } from 'node:module'; const require = __kitCreateRequire(import.meta.url);";

export async function bundleCli(outfile: string): Promise<void> {
  const result = await build({
    entryPoints: [ENTRY],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    minify: true,
    legalComments: 'none',
    external: EXTERNAL,
    plugins: [noSqlite, bundledVersions],
    banner: { js: REQUIRE_BANNER },
    logLevel: 'error',
  });
  if (result.errors.length > 0) throw new Error(`esbuild failed: ${result.errors.map((e) => e.text).join('; ')}`);
}
