import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';

/** What a search for an adapter in a child process saw. */
export interface AdapterSearch {
  found: boolean;
  /** Everything Dawn, the Vulkan loader and the driver printed meanwhile. */
  stderr: string;
}

/** Loading Dawn and asking for an adapter takes a second or two; a hung driver must not hang the probe. */
const SEARCH_TIMEOUT_MS = 60_000;

/** The child: load the binding, ask for the adapter the engine would ask for, say whether there is one. */
const SEARCH = `
const binding = await import(process.env.VGG_WORKBENCH_DAWN_BINDING);
const adapter = await binding.create([]).requestAdapter({ powerPreference: 'high-performance' });
process.stdout.write(adapter ? 'found' : 'none');
process.exit(0);
`;

/** The binding as a URL a child can import from any working folder; undefined when it is not installed (the engine says so itself). */
function bindingUrl(source: string): string | undefined {
  if (source.startsWith('file:')) return source;
  try {
    return pathToFileURL(createRequire(import.meta.url).resolve(source)).href;
  } catch {
    return undefined;
  }
}

/**
 * Asks Dawn for an adapter in a child process, its stderr read rather than
 * shown: when there is none, Dawn and Mesa print raw lines from native code
 * (`Warning: Vulkan shaderUniform*ArrayDynamicIndexing feature required … at
 * InitializeImpl (…PhysicalDeviceVk.cpp:257)`) that this process could not
 * hold back once Dawn is loaded in it. Undefined when the search could not be
 * made (binding missing, child hung): the engine then loads as before.
 */
export function searchAdapterApart(source: string): Promise<AdapterSearch | undefined> {
  const url = bindingUrl(source);
  if (!url) return Promise.resolve(undefined);
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', SEARCH], {
      // Electron's binary runs as Node with this set; Node ignores it.
      env: { ...process.env, VGG_WORKBENCH_DAWN_BINDING: url, ELECTRON_RUN_AS_NODE: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString('utf8')).slice(-8000)));
    const timer = setTimeout(() => child.kill('SIGKILL'), SEARCH_TIMEOUT_MS);
    child.on('error', () => {
      clearTimeout(timer);
      resolve(undefined);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (signal === 'SIGKILL' && stdout === '') resolve(undefined);
      else resolve({ found: code === 0 && stdout === 'found', stderr });
    });
  });
}
