import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The trainer script, relative to the app's root: shipped in resources/ so the packaged app has it too. */
export const TRAINER_SCRIPT_PATH = join('resources', 'pytorch', 'vgg_trainer.py');

/**
 * The trainer script next to this module's root: `src-main/core/engine/pytorch/`
 * from source, `out/main/` (or a chunk folder under it) in a build. Walks up,
 * so it holds whichever way the module was bundled; undefined when this
 * installation does not ship it.
 */
export function findTrainerScript(from: string = fileURLToPath(import.meta.url)): string | undefined {
  let dir = dirname(from);
  for (let i = 0; i < 7; i += 1) {
    const candidate = join(dir, TRAINER_SCRIPT_PATH);
    if (existsSync(candidate)) return candidate;
    dir = dirname(dir);
  }
  return undefined;
}
