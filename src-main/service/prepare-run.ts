import { ApiError } from '../api/api-error';
import type { ApiParsedRequest } from '../api/methods';
import { resolveNetwork } from '../shared/models/presets';
import { InputTooSmallError, summarizeNetwork } from '../shared/models/summary';
import { makeRunConfig, RunConfigError } from '../shared/train/make-run-config';
import type { PreparedRun } from '../shared/train/prepared-run';
import { runConfigSchema, type RunConfig, type RunPlacement } from '../shared/train/run-config';
import { parseMemoryLimit } from '../core/engine/memory-limit';
import { foreignFields, foreignFieldsRefusal } from '../core/engine/own-fields';
import { inputTooSmall, toApiError } from './to-api-error';
import { errorMessage } from '../shared/error-message';

export type { PreparedRun };

/** What a run request states: the API's `runs.start`, a plan's run, the CLI's flags. */
export type RunRequestInput = Pick<ApiParsedRequest<'runs.start'>, 'config' | 'memoryLimit'>;

/**
 * The one place a run request becomes a RunConfig, for every front end (the
 * GUI's form, a plan, the CLI's flags, which send their request as typed) and
 * every queue (this process's, a Redis queue's hub).
 * A run request made whole and checked before anything is queued: the
 * preset's recipe fills what the request leaves out, and a network the
 * image size cannot feed (VGG's five pools on 28×28) is refused now rather
 * than minutes later in the worker. Errors name the request field
 * (`config.resize`), prefixed with `fieldPrefix` inside a queue request.
 */
export function prepareRun(request: RunRequestInput, fieldPrefix = ''): PreparedRun {
  const prefix = `${fieldPrefix}config.`;
  let config: RunConfig;
  try {
    config = makeRunConfig(request.config);
  } catch (error) {
    if (error instanceof RunConfigError) throw toApiError(error, prefix);
    // findPreset's "unknown model ..., choose one of ...".
    throw new ApiError('invalid-request', errorMessage(error), { field: `${prefix}model` });
  }
  let network;
  try {
    network = resolveNetwork(config);
  } catch (error) {
    // A VGG-only option on a fixed network: the message names the options.
    throw new ApiError('invalid-request', errorMessage(error), { field: `${prefix}model` });
  }
  try {
    summarizeNetwork(network.layers, [config.resize, config.resize, 1], { name: network.name });
  } catch (error) {
    if (error instanceof InputTooSmallError) throw inputTooSmall(error, prefix);
    throw new ApiError('invalid-request', errorMessage(error), { field: prefix.slice(0, -1) });
  }
  checkPlacement(config, prefix);
  const memoryLimit = checkedMemoryLimit(request.memoryLimit, `${fieldPrefix}memoryLimit`);
  // Only prepareRun makes a PreparedRun (shared/train/prepared-run.ts).
  return { config, architecture: network.layers, ...(memoryLimit === undefined ? {} : { memoryLimit }) } as PreparedRun;
}

/**
 * The memory a run may plan for, as a request states it ("6GB", "60%"): read
 * here so a mistyped one is refused naming the field; the training worker
 * plans the run within it (worker/protocol.ts's `memoryLimit`).
 */
export function checkedMemoryLimit(text: string | undefined, field = 'memoryLimit'): string | undefined {
  if (text === undefined) return undefined;
  try {
    parseMemoryLimit(text, 'a memory limit');
  } catch (error) {
    throw new ApiError('invalid-request', errorMessage(error), { field });
  }
  return text;
}

/**
 * A device or precision its named engine does not read (bf16 on wasm) is
 * refused now, naming the field, rather than when the run reaches the
 * trainer. With `auto` the engine is not known until the run trains; the
 * trainer refuses it then (core/train/run-engine.ts, the same check).
 */
function checkPlacement(config: RunConfig, prefix: string): void {
  if (config.engine === 'auto') return;
  const refusal = foreignFieldsRefusal(config, config.engine);
  if (refusal) throw new ApiError('invalid-request', `${refusal.field}: ${refusal.message}`, { field: `${prefix}${refusal.field}` });
}

/** What a resume asks to change: how long the run trains (`epochs`) and where (the placement fields). */
export type ResumeChanges = RunPlacement & { epochs?: number | undefined };

/**
 * A stopped run's config as it resumes: its own, with the epochs and the
 * placement (engine, device, precision, threads) the request gives, checked as
 * a start's are; a refusal names the resume request's field (`precision`).
 * The network, recipe and data are the run's: its checkpoint holds those
 * weights. Moved to another engine, it keeps a device or precision the request
 * does not give only if that engine reads it: pytorch's bf16 is not carried to
 * wasm (nor to `auto`, whose engine is not known yet) as if someone had typed it.
 */
export function resumedConfig(recorded: RunConfig, changes: ResumeChanges): RunConfig {
  const given = Object.fromEntries(Object.entries(changes).filter(([, value]) => value !== undefined)) as ResumeChanges;
  const merged: RunConfig = { ...recorded, ...given };
  if (given.engine !== undefined && given.engine !== recorded.engine) {
    const inherited = (field: 'device' | 'precision'): boolean => given[field] === undefined;
    const dropped = merged.engine === 'auto' ? (['device', 'precision'] as const).filter(inherited) : foreignFields(merged, merged.engine).filter(inherited);
    for (const field of dropped) delete merged[field];
  }
  const parsed = runConfigSchema.safeParse(merged);
  if (!parsed.success) {
    // The request's fields passed their schema: only a recorded config an older release wrote can fail here.
    const issue = parsed.error.issues[0]!;
    throw new ApiError('invalid-request', `the run's recorded config does not read: ${issue.path.join('.')}: ${issue.message}`);
  }
  checkPlacement(parsed.data, '');
  return parsed.data;
}
