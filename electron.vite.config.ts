import { fileURLToPath } from 'node:url';
import vue from '@vitejs/plugin-vue';
import { defineConfig } from 'electron-vite';
import { rendererImportRule } from './scripts/renderer-import-rule';

const path = (relative: string): string => fileURLToPath(new URL(relative, import.meta.url));

/**
 * Three builds: the main process (with every thread or process entry,
 * `*.entry.ts`, as a chunk of its own, imported with `?modulePath`), the
 * preload, and the renderer. Out to out/{main,preload,renderer}.
 */
export default defineConfig({
  main: {
    build: {
      // Dependencies stay in node_modules and load at run time: better-sqlite3's
      // and tfjs-node's native addons cannot be bundled, and tfjs finds its
      // .wasm files next to its own package. (electron-vite 6's default, which
      // replaces the deprecated externalizeDepsPlugin.)
      externalizeDeps: true,
      rollupOptions: { input: { index: path('./src-main/electron/main.ts') } },
    },
  },
  preload: {
    build: {
      // A sandboxed preload can require nothing but 'electron': bundle everything
      // it uses into one CommonJS file (ES modules do not load there).
      externalizeDeps: false,
      rollupOptions: {
        input: { index: path('./src-main/electron/preload.ts') },
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: path('./src-renderer'),
    // electron-vite leaves bundles unminified; browser mode sends this one over HTTP (2.1 MB as is).
    build: { minify: true, rollupOptions: { input: { index: path('./src-renderer/index.html') } } },
    // A renderer import from src-main outside shared/ and api/ fails the build (scripts/renderer-import-rule.ts).
    plugins: [rendererImportRule(path('./')), vue()],
  },
});
