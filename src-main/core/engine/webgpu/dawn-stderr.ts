/**
 * What Dawn and the Vulkan loader print to stderr when they find no usable
 * adapter, read into one sentence of ours. Their lines come from native code
 * (Dawn's `dawn::WarningLog`, the loader's messages, Mesa's WSI), which Node
 * cannot silence in its own process, so the adapter is first looked for in a
 * child process whose stderr is read here (dawn-preflight.ts).
 */

/** A driver manifest the Vulkan loader reads: its file and the library it names. */
export interface VulkanManifest {
  file: string;
  library: string;
}

/** CPU implementations of Vulkan, by the names their manifests and libraries carry. */
const SOFTWARE_RENDERERS: [RegExp, string][] = [
  [/lvp|lavapipe/i, 'lavapipe'],
  [/llvmpipe/i, 'llvmpipe'],
  [/swiftshader/i, 'SwiftShader'],
];

/** "(software renderer lavapipe)" when a manifest here is a CPU renderer's, else "". */
function softwareRendererNote(manifests: readonly VulkanManifest[]): string {
  for (const { file, library } of manifests) {
    const found = SOFTWARE_RENDERERS.find(([pattern]) => pattern.test(`${file} ${library}`));
    if (found) return ` (software renderer ${found[1]})`;
  }
  return '';
}

/** Lines that say nothing about the adapter: Mesa's note about the desktop session, Dawn's source locations. */
const NOISE = /XDG_RUNTIME_DIR|^\s*at \S+ \(.*\.(cpp|cc|h):\d+\)\s*$/;

export interface DawnVerdict {
  /** Why there is no adapter, in our words. */
  reason: string;
  fix: string;
}

const WASM = "or choose engine 'wasm'";

/**
 * Reads stderr of a search that found no adapter. A device Dawn turned down
 * for a missing feature ("Vulkan shaderUniform*ArrayDynamicIndexing feature
 * required"), a driver library that does not load, or the loader finding no
 * driver; undefined when the lines say none of these.
 */
export function readDawnStderr(stderr: string, manifests: readonly VulkanManifest[]): DawnVerdict | undefined {
  const lines = stderr
    .split('\n')
    .map((line) => line.replace(/^\s*Warning:\s*/, '').trim())
    .filter((line) => line !== '' && !NOISE.test(line));
  const feature = lines.map((line) => /^Vulkan (\S+?)(?: feature)? required/.exec(line)?.[1]).find((name) => name !== undefined);
  if (feature) {
    return {
      reason: `Found a Vulkan device but it lacks ${feature}, which Dawn requires${softwareRendererNote(manifests)}`,
      fix: `install the GPU vendor's Vulkan driver (mesa-vulkan-drivers gives only a CPU renderer, which Dawn turns down), ${WASM}, faster than a CPU renderer anyway`,
    };
  }
  // The loader: "<library>: <dlopen's reason>", then "loader_icd_scan: Failed loading library associated with ICD JSON <library>. Ignoring this JSON".
  const unloadable = lines.map((line) => /Failed loading library associated with ICD JSON (\S+?)\.?(?: Ignoring|$)/.exec(line)?.[1]).find((path) => path !== undefined);
  if (unloadable) {
    const manifest = manifests.find((m) => m.library === unloadable || unloadable.endsWith(m.library.replace(/^\.\//, '')));
    const why = lines.find((line) => line.startsWith(`${unloadable}: `))?.slice(unloadable.length + 2).replace(/\.$/, '');
    return {
      reason: `Found a Vulkan driver${manifest ? ` (${manifest.file})` : ''} but its library ${unloadable} does not load${why ? `: ${why}` : ''}`,
      fix: `reinstall the driver that provides it or remove its manifest, ${WASM}`,
    };
  }
  const notDriver = lines.map((line) => /GetInstanceProcAddr'? from ICD (\S+) failed/.exec(line)?.[1]).find((path) => path !== undefined);
  if (notDriver) {
    const manifest = manifests.find((m) => m.library === notDriver);
    return {
      reason: `Found a Vulkan driver${manifest ? ` (${manifest.file})` : ''} but its library ${notDriver} is not a Vulkan driver (it has no vkGetInstanceProcAddr)`,
      fix: `reinstall the driver that provides it or remove its manifest, ${WASM}`,
    };
  }
  if (lines.some((line) => /Found no drivers|VK_ERROR_INCOMPATIBLE_DRIVER/.test(line))) {
    return {
      reason: `The Vulkan loader found ${manifests.length === 0 ? 'no driver' : `driver manifests (${manifests.map((m) => m.file).join(', ')}) but no driver that works`}`,
      fix: `install the GPU vendor's Vulkan driver, ${WASM}`,
    };
  }
  return undefined;
}
