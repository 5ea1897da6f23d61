import { relative, sep } from 'node:path';
import type { Plugin } from 'vite';
import { RENDERER } from './layer-table';

/**
 * The renderer's import line (VS Code's code-layering rule, as a path rule):
 * of src-main, the renderer may import only the shared folder (what both
 * processes need as values) and the API contract. A view that reaches into
 * src-main/core, the service or Electron fails the renderer build, whatever
 * the file: no list to keep.
 */
export const RENDERER_MAY_IMPORT: readonly string[] = RENDERER.mayImport.map((folder) => `src-main/${folder}/`);

/** Why `importer` may not import `target` (absolute paths), or null when it may. */
export function rendererImportViolation(root: string, importer: string, target: string): string | null {
  const path = relative(root, target.replace(/[?#].*$/, '')).split(sep).join('/');
  if (!path.startsWith('src-main/') || RENDERER_MAY_IMPORT.some((dir) => path.startsWith(dir))) return null;
  const from = relative(root, importer.replace(/[?#].*$/, '')).split(sep).join('/');
  return `${from} imports ${path}: the renderer may import from src-main only ${RENDERER_MAY_IMPORT.join(' and ')} (scripts/renderer-import-rule.ts). Move what both processes need into src-main/shared/.`;
}

/** The rule as a Vite plugin: every import the renderer build resolves is checked. */
export function rendererImportRule(root: string): Plugin {
  return {
    name: 'renderer-import-rule',
    enforce: 'pre',
    async resolveId(source, importer, options) {
      if (importer === undefined) return null;
      const resolved = await this.resolve(source, importer, { ...options, skipSelf: true });
      if (resolved && !resolved.external) {
        const violation = rendererImportViolation(root, importer, resolved.id);
        if (violation !== null) this.error(violation);
      }
      return resolved;
    },
  };
}
