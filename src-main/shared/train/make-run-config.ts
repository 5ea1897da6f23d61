import { runConfigSchema, type RunConfig, type RunConfigInput } from './run-config';
import { findPreset } from '../models/presets';

/** A run request as a user states it: the model, and only what they want to change. */
export type RunConfigRequest = Partial<RunConfigInput> & { model: string };

/** Names a config field as the person typed it (a CLI flag, a form field). */
export type FieldNamer = (field: string) => string;

export class RunConfigError extends Error {
  constructor(
    message: string,
    readonly field: string,
  ) {
    super(message);
    this.name = 'RunConfigError';
  }
}

/**
 * Fills a request from the preset's book recipe (lr, batch, image size, epochs,
 * dense width) and validates the whole. Errors name the field and the fix.
 */
export function makeRunConfig(request: RunConfigRequest, nameField: FieldNamer = (f) => f): RunConfig {
  const preset = findPreset(request.model);
  const recipe = preset.defaults;
  const merged: RunConfigInput = {
    resize: recipe.resize,
    batchSize: recipe.batchSize,
    lr: recipe.lr,
    epochs: recipe.epochs,
    ...(preset.family === 'vgg' && recipe.denseUnits !== undefined ? { denseUnits: recipe.denseUnits } : {}),
    ...withoutUndefined(request),
    model: request.model,
  };
  const parsed = runConfigSchema.safeParse(merged);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  const field = issue.path.join('.') || 'config';
  const topField = String(issue.path[0] ?? field);
  throw new RunConfigError(`${nameField(topField)}: ${issue.message} (got ${describe(valueAt(merged, issue.path))})`, field);
}

function withoutUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let value = root;
  for (const key of path) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}

const describe = (value: unknown): string => (value === undefined ? 'nothing' : JSON.stringify(value));
