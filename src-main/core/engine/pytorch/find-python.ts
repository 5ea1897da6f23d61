import { accessSync, constants, realpathSync, statSync } from 'node:fs';
import { delimiter, isAbsolute, join } from 'node:path';

/** The environment variable naming the Python to use; `--python PATH` sets it for the process. */
export const PYTHON_ENV = 'VGG_WORKBENCH_PYTHON';

/** One Python to try: how to start it, and where it came from (for messages). */
export interface PythonCandidate {
  command: string;
  /** Arguments before the script: `-3` for Windows's `py` launcher. */
  args: string[];
  /** "--python / VGG_WORKBENCH_PYTHON", "PATH", "a usual place". */
  source: string;
}

/**
 * Where Python is usually installed with a system torch, tried after PATH:
 * PATH's first `python3` is often a version manager's shim (pyenv) or a
 * virtual environment without torch, while Debian's `python3-torch` and
 * Homebrew's live here.
 */
export const USUAL_PLACES: readonly string[] = ['/usr/bin/python3', '/usr/local/bin/python3', '/opt/homebrew/bin/python3'];

function isExecutableFile(path: string): boolean {
  try {
    if (!statSync(path).isFile()) return false;
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Every `name` on PATH, in PATH's order (with Windows's extensions). */
function onPath(name: string, env: NodeJS.ProcessEnv, platform: NodeJS.Platform): string[] {
  const dirs = (env.PATH ?? env.Path ?? '').split(delimiter).filter((dir) => dir !== '' && isAbsolute(dir));
  const names = platform === 'win32' ? [`${name}.exe`, name] : [name];
  return dirs.flatMap((dir) => names.map((n) => join(dir, n))).filter(isExecutableFile);
}

/**
 * The Pythons to try, in order: the one the user named (`--python PATH` or
 * VGG_WORKBENCH_PYTHON), alone, since falling back silently would train on
 * another; else `python3` and `python` on PATH (`py -3` on Windows), then the
 * usual places. The same interpreter reached twice (a symlink) is tried once.
 */
export function pythonCandidates(
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
  usualPlaces: readonly string[] = USUAL_PLACES,
): PythonCandidate[] {
  const named = env[PYTHON_ENV]?.trim();
  if (named) return [{ command: named, args: [], source: `--python / ${PYTHON_ENV}` }];
  const found: PythonCandidate[] = [];
  const seen = new Set<string>();
  const add = (path: string, source: string): void => {
    let real = path;
    try {
      real = realpathSync(path);
    } catch {
      return;
    }
    if (seen.has(real)) return;
    seen.add(real);
    found.push({ command: path, args: [], source });
  };
  for (const name of ['python3', 'python']) for (const path of onPath(name, env, platform)) add(path, 'PATH');
  if (platform === 'win32') {
    for (const path of onPath('py', env, platform)) found.push({ command: path, args: ['-3'], source: 'PATH (the py launcher)' });
  } else {
    for (const path of usualPlaces) if (isExecutableFile(path)) add(path, 'a usual place');
  }
  return found;
}

/** How a candidate reads in messages: "/usr/bin/python3", "py -3". */
export function describeCandidate(candidate: PythonCandidate): string {
  return [candidate.command, ...candidate.args].join(' ');
}
