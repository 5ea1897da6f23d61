import { readFileSync, readdirSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/**
 * On Linux Dawn reaches the GPU through Vulkan, and when the Vulkan loader
 * finds no driver, Dawn's native code prints its own warnings to the
 * process's stderr (`vkCreateInstance: Found no drivers!`, then a C++ source
 * path) on every train, engines and evaluate. Looking for a driver manifest
 * first, where the loader looks, lets the engine say it once in our words and
 * leave Dawn unloaded. The search follows the loader's documented order
 * (KhronosGroup/Vulkan-Loader, docs/LoaderDriverInterface.md, "Driver
 * Discovery on Linux"): the files or folders in VK_DRIVER_FILES or
 * VK_ICD_FILENAMES when set (they replace the search), else the icd.d folders
 * under the XDG config and data folders, /etc and /usr/local/etc, plus
 * VK_ADD_DRIVER_FILES.
 */

const list = (value: string | undefined): string[] => (value ?? '').split(':').filter((part) => part !== '');

/** The manifest files (*.json) a path names: itself if a file, its .json entries if a folder. */
function manifestsAt(path: string): string[] {
  try {
    const stat = statSync(path);
    if (stat.isFile()) return [path];
    if (!stat.isDirectory()) return [];
    return readdirSync(path)
      .filter((name) => name.endsWith('.json'))
      .map((name) => join(path, name))
      .filter((file) => statSync(file).isFile());
  } catch {
    return [];
  }
}

/** Where the Vulkan loader looks for drivers on Linux, in its order. */
export function vulkanDriverSearchPaths(env: NodeJS.ProcessEnv = process.env): string[] {
  const explicit = list(env.VK_DRIVER_FILES ?? env.VK_ICD_FILENAMES);
  const added = list(env.VK_ADD_DRIVER_FILES);
  if (explicit.length > 0) return [...added, ...explicit];
  const home = env.HOME ?? homedir();
  const configHome = env.XDG_CONFIG_HOME || join(home, '.config');
  const configDirs = list(env.XDG_CONFIG_DIRS).length > 0 ? list(env.XDG_CONFIG_DIRS) : ['/etc/xdg'];
  const dataHome = env.XDG_DATA_HOME || join(home, '.local', 'share');
  const dataDirs = list(env.XDG_DATA_DIRS).length > 0 ? list(env.XDG_DATA_DIRS) : ['/usr/local/share', '/usr/share'];
  return [
    ...added,
    ...[configHome, ...configDirs, '/usr/local/etc', '/etc', dataHome, ...dataDirs].map((dir) => join(dir, 'vulkan', 'icd.d')),
  ];
}

/**
 * Why Dawn would find no Vulkan driver here, or undefined when a driver
 * manifest exists (or the platform is not Linux, where Dawn uses D3D12 or
 * Metal and this search does not apply).
 */
export function missingVulkanDriver(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string | undefined {
  if (platform !== 'linux') return undefined;
  const paths = vulkanDriverSearchPaths(env);
  if (paths.some((path) => manifestsAt(path).length > 0)) return undefined;
  const where = env.VK_DRIVER_FILES ?? env.VK_ICD_FILENAMES;
  return where
    ? `no Vulkan driver: ${env.VK_DRIVER_FILES ? 'VK_DRIVER_FILES' : 'VK_ICD_FILENAMES'} names ${where}, which holds no driver manifest`
    : 'no Vulkan driver is installed (no driver manifest in /usr/share/vulkan/icd.d, /etc/vulkan/icd.d or the other folders the Vulkan loader searches)';
}

/** The driver manifests the Vulkan loader would read here, each with the library it names (for naming a rejected driver). */
export function vulkanDriverManifests(env: NodeJS.ProcessEnv = process.env): { file: string; library: string }[] {
  return vulkanDriverSearchPaths(env)
    .flatMap(manifestsAt)
    .flatMap((file) => {
      try {
        const parsed: unknown = JSON.parse(readFileSync(file, 'utf8'));
        const icd = typeof parsed === 'object' && parsed !== null && 'ICD' in parsed ? parsed.ICD : undefined;
        const library = typeof icd === 'object' && icd !== null && 'library_path' in icd ? icd.library_path : undefined;
        return typeof library === 'string' ? [{ file, library }] : [];
      } catch {
        return [];
      }
    });
}
