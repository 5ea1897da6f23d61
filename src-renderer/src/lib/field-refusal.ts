import { formatInteger } from '../../../src-main/shared/format';
import { RUN_FIELD_LIMITS } from '../../../src-main/shared/train/run-config';
import type { ShownError } from './describe-error';
import type { LaunchForm } from './run-request';

/**
 * The Launch form's number fields, each refused at the field before anything is
 * sent, from the limits the run schema itself uses (RUN_FIELD_LIMITS), and in
 * the words of the image-size refusal: what the field needs, what is wrong
 * with the value, and the value to use ("Use 1").
 */
export const CHECKED_FIELDS = ['widthRatio', 'denseUnits', 'trainLimit', 'testLimit', 'seed', 'epochs', 'batchSize', 'lr', 'momentum'] as const;
export type CheckedField = (typeof CHECKED_FIELDS)[number];

const LABELS: Record<CheckedField, string> = {
  widthRatio: 'Width ratio',
  denseUnits: 'Dense units',
  trainLimit: 'Training images',
  testLimit: 'Test images',
  seed: 'Seed',
  epochs: 'Epochs',
  batchSize: 'Batch size',
  lr: 'Learning rate',
  momentum: 'Momentum',
};

/** Fields the schema takes as any number in range; the others as whole numbers (`z.number().int()`). */
const FRACTIONAL = new Set<CheckedField>(['lr', 'momentum']);
/** The learning rate's lower limit is exclusive (`z.number().positive()`): 0 learns nothing. */
const ABOVE_MIN = new Set<CheckedField>(['lr']);

/** 4096 → "4,096", 0.999 → "0.999". */
function show(value: number): string {
  return Number.isInteger(value) ? formatInteger(value) : String(value);
}

/** The value's refusal, or null when the schema would take it. null values are "all" or "default" and pass. */
export function refuseField(field: CheckedField, value: number | null): ShownError | null {
  if (value === null) return null;
  const { min, max } = RUN_FIELD_LIMITS[field];
  const label = LABELS[field];
  const fail = (message: string): ShownError => ({ message, field: `config.${field}` });
  if (!Number.isFinite(value)) return fail(`${label} needs a number. Use ${show(min)} to ${show(max)}.`);
  if (!FRACTIONAL.has(field) && !Number.isInteger(value)) {
    const near = Math.min(max, Math.max(min, Math.round(value)));
    return fail(`${label} needs a whole number: ${value} is not one. Use ${show(near)}.`);
  }
  if (ABOVE_MIN.has(field) && value <= min) return fail(`${label} needs a number above ${show(min)}: with ${value} nothing is learned. Use 0.01 or more.`);
  if (value < min) return fail(`${label} needs at least ${show(min)}: ${value} is too small. Use ${show(min)}.`);
  if (value > max) return fail(`${label} takes at most ${show(max)}: ${show(value)} is too large. Use ${show(max)}.`);
  return null;
}

/** Every refused field of the form; fields a fixed network does not take (width ratio, dense units) only for a VGG. */
export function refuseForm(form: Pick<LaunchForm, CheckedField>, isVgg: boolean): Partial<Record<CheckedField, ShownError>> {
  const refused: Partial<Record<CheckedField, ShownError>> = {};
  for (const field of CHECKED_FIELDS) {
    if (!isVgg && (field === 'widthRatio' || field === 'denseUnits')) continue;
    const error = refuseField(field, form[field]);
    if (error) refused[field] = error;
  }
  return refused;
}

/** The value brought inside the field's limits (a whole number where the schema wants one): what the network summary is drawn for meanwhile. */
export function withinLimits(field: CheckedField, value: number): number {
  const { min, max } = RUN_FIELD_LIMITS[field];
  const clamped = Math.min(max, Math.max(min, Number.isFinite(value) ? value : min));
  return FRACTIONAL.has(field) ? clamped : Math.round(clamped);
}
