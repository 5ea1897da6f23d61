import { EngineUnavailableError } from '../engine-unavailable';
import { PYTHON_ENV, pythonCandidates, USUAL_PLACES, type PythonCandidate } from './find-python';
import { MINIMUM_TORCH, type ProbeAnswer } from './probe-answer';
import { probePython, type ProbeOutcome } from './probe-python';
import { findTrainerScript, TRAINER_SCRIPT_PATH } from './trainer-script';

/** A Python with a recent enough torch, what it sees, and the trainer script to run with it. */
export interface TorchFound {
  python: PythonCandidate;
  script: string;
  probe: ProbeAnswer;
  /** The Pythons tried before it and why they were passed over: "/root/.pyenv/shims/python3 has no torch". */
  passedOver: string[];
}

const INSTALL_TORCH = 'pip install torch numpy (https://pytorch.org/get-started/locally/ for CUDA, ROCm or MPS)';

/**
 * Finds the Python to train with: the first candidate (find-python.ts) whose
 * probe answers with torch >= MINIMUM_TORCH. Throws EngineUnavailableError
 * saying why none does (no Python, no torch, too old a torch) and the fix.
 */
export async function discoverTorch(
  env: NodeJS.ProcessEnv = process.env,
  script: string | undefined = findTrainerScript(),
  usualPlaces: readonly string[] = USUAL_PLACES,
): Promise<TorchFound> {
  if (script === undefined) {
    throw new EngineUnavailableError(`this installation does not ship the trainer script ${TRAINER_SCRIPT_PATH}`, 'reinstall the workbench');
  }
  const candidates = pythonCandidates(env, process.platform, usualPlaces);
  if (candidates.length === 0) {
    throw new EngineUnavailableError(
      'no Python found (python3 or python on PATH)',
      `install Python 3 with PyTorch (${INSTALL_TORCH}), or name one with --python PATH or ${PYTHON_ENV}`,
    );
  }
  const outcomes: ProbeOutcome[] = [];
  for (const python of candidates) {
    const outcome = await probePython(python, script);
    if (outcome.kind === 'ok') return { python, script, probe: outcome.answer, passedOver: outcomes.map(describeOutcome) };
    outcomes.push(outcome);
  }
  throw unavailable(outcomes, candidates);
}

function describeOutcome(outcome: ProbeOutcome): string {
  return outcome.kind === 'ok' ? `torch ${outcome.answer.torch}` : outcome.kind === 'too-old' ? `${outcome.detail}, older than ${MINIMUM_TORCH}` : outcome.detail;
}

/** The one reason that matters most: a torch too old beats no torch beats no Python, since each is nearer to working. */
function unavailable(outcomes: ProbeOutcome[], candidates: PythonCandidate[]): EngineUnavailableError {
  const all = outcomes.map(describeOutcome).join('; ');
  const named = candidates.length === 1 && candidates[0]!.source.startsWith('--python');
  const elsewhere = named ? `, or unset ${PYTHON_ENV} / drop --python to look on PATH` : `, or name a Python that has it with --python PATH or ${PYTHON_ENV}`;
  if (outcomes.some((o) => o.kind === 'too-old')) {
    return new EngineUnavailableError(`torch older than ${MINIMUM_TORCH}: ${all}`, `pip install --upgrade torch${elsewhere}`);
  }
  if (outcomes.some((o) => o.kind === 'no-torch' || o.kind === 'no-numpy')) {
    return new EngineUnavailableError(`no torch in any Python found: ${all}`, `${INSTALL_TORCH}${elsewhere}`);
  }
  if (outcomes.every((o) => o.kind === 'not-found')) {
    return new EngineUnavailableError(
      `no Python found: ${all}`,
      named ? `point --python / ${PYTHON_ENV} at a Python 3 executable` : `install Python 3 with PyTorch (${INSTALL_TORCH})`,
    );
  }
  return new EngineUnavailableError(`no Python could run the trainer script: ${all}`, `check that Python 3 and torch import cleanly${elsewhere}`);
}

const cache = new Map<string, Promise<TorchFound>>();

/**
 * discoverTorch, once per process for the same Python settings (the engine
 * probe runs it once; the training worker reuses it for every run). A failure
 * is not kept, so installing torch needs no restart of a long-lived worker.
 */
export function discoverTorchOnce(env: NodeJS.ProcessEnv = process.env): Promise<TorchFound> {
  const key = `${env[PYTHON_ENV] ?? ''}\0${env.PATH ?? ''}`;
  let found = cache.get(key);
  if (!found) {
    found = discoverTorch(env);
    cache.set(key, found);
    found.catch(() => cache.delete(key));
  }
  return found;
}
