/**
 * Set to true by scripts/build-cli.mjs (esbuild `define`) in the CLI bundle
 * and absent everywhere else (tsx from source, electron-vite's bundles).
 */
declare const __VGG_CLI_BUNDLE__: boolean | undefined;

/** Whether this code runs from the CLI bundle in out/cli/. */
export const inCliBundle = (): boolean => typeof __VGG_CLI_BUNDLE__ !== 'undefined' && __VGG_CLI_BUNDLE__;

/**
 * The file to start for a thread or child-process entry named by its source
 * URL (`new URL('./x.ts', import.meta.url)`). From source that is the .ts
 * file itself. In the CLI bundle `import.meta.url` is the bundle's own file in
 * out/cli/, and every entry is bundled beside it as `<name>.mjs` (the list in
 * scripts/build-cli.mjs), so the same URL with .mjs is the built entry: no
 * loader and nothing resolved from the current folder.
 */
export function runnableEntry(source: URL): URL {
  if (!inCliBundle() || !source.pathname.endsWith('.ts')) return source;
  return new URL(source.href.replace(/\.ts$/, '.mjs'));
}
