import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, mkdirSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/**
 * Debian's Vulkan loader (libvulkan1), which Dawn dlopens as libvulkan.so.1:
 * the GPU machines we aim at have NVIDIA's driver (its Vulkan ICD) but no
 * loader. Taken from the installed package, or fetched with
 * `apt-get download libvulkan1` and unpacked with `dpkg -x` where it is not
 * installed.
 */
const PACKAGE = 'libvulkan1';
const LIBRARY = 'libvulkan.so.1';

function run(command: string, args: string[], cwd?: string): string {
  return execFileSync(command, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], ...(cwd ? { cwd } : {}) });
}

function installedLoader(): { path: string; version: string } | undefined {
  try {
    const version = run('dpkg-query', ['-W', '-f=${Version}', PACKAGE]).trim();
    const path = run('dpkg', ['-L', PACKAGE])
      .split('\n')
      .find((line) => line.endsWith(`/${LIBRARY}`));
    return path && existsSync(path) ? { path: realpathSync(path), version } : undefined;
  } catch {
    return undefined;
  }
}

/** Copies the loader to `target`; returns where it came from, with the package version. */
export function copyVulkanLoader(target: string): { source: string; version: string } {
  mkdirSync(dirname(target), { recursive: true });
  const installed = installedLoader();
  if (installed) {
    copyFileSync(installed.path, target);
    return { source: `${installed.path} (${PACKAGE} ${installed.version}, installed)`, version: installed.version };
  }
  const scratch = mkdtempSync(join(tmpdir(), 'vulkan-loader-'));
  try {
    run('apt-get', ['download', PACKAGE], scratch);
    const deb = run('sh', ['-c', `ls ${PACKAGE}_*.deb`], scratch).trim().split('\n')[0];
    if (!deb) throw new Error(`apt-get download ${PACKAGE} left no .deb`);
    run('dpkg', ['-x', deb, 'root'], scratch);
    const found = run('sh', ['-c', `find root -name '${LIBRARY}' | head -n 1`], scratch).trim();
    if (!found) throw new Error(`${deb} holds no ${LIBRARY}`);
    copyFileSync(realpathSync(join(scratch, found)), target);
    const version = deb.replace(/^[^_]+_([^_]+)_.*$/, '$1');
    return { source: `${deb} (apt-get download)`, version };
  } catch (error) {
    throw new Error(`the Vulkan loader: ${PACKAGE} is not installed and could not be downloaded (${(error as Error).message}); apt-get install ${PACKAGE}`);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}
