import { z } from 'zod';
import { startRunSchema } from '../../../src-main/api/methods';
import { engineChoiceSchema, precisionSchema, torchDeviceSchema, vggBlockSchema } from '../../../src-main/shared/train/run-config';
import type { LaunchForm, StartRunRequest } from './run-request';

/** Per tab: a reload keeps what was typed, a new window starts from the book's recipe. */
export const LAUNCH_FORM_STORAGE_KEY = 'vgg-workbench.launch-form';

const finite = z.number().finite();
/** The form as saved; checked on the way back in, since storage is anyone's to edit (or an older build's). */
const launchFormSchema: z.ZodType<LaunchForm> = z
  .object({
    model: z.string().min(1),
    blocks: z.array(vggBlockSchema),
    widthRatio: finite,
    denseUnits: finite,
    resize: finite,
    epochs: finite,
    batchSize: finite,
    lr: finite,
    momentum: finite,
    seed: finite,
    engine: engineChoiceSchema,
    trainLimit: finite.nullable(),
    testLimit: finite.nullable(),
    name: z.string(),
    tags: z.string(),
    baseline: z.boolean(),
    // Absent in forms saved before the warm start existed.
    initFrom: z.string().default(''),
    // Absent in forms saved before layer statistics existed: the default.
    layerStats: z.union([z.literal('off'), finite]).nullable().default(null),
    // Absent in forms saved before the pytorch engine existed.
    device: torchDeviceSchema.default('auto'),
    precision: precisionSchema.default('fp32'),
  })
  .strict();

export interface SavedLaunch {
  form: LaunchForm;
  drafts: StartRunRequest[];
}

/** The part of Web Storage used here (so Node tests can pass a Map-backed one). */
interface KeyValueStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
}

/** What was saved, or null when nothing was or it no longer fits the form (then the recipe applies). */
export function readSavedLaunch(storage: KeyValueStorage): SavedLaunch | null {
  let raw: unknown;
  try {
    raw = JSON.parse(storage.getItem(LAUNCH_FORM_STORAGE_KEY) ?? 'null');
  } catch {
    return null;
  }
  const saved = z.object({ form: launchFormSchema, drafts: z.array(z.unknown()) }).safeParse(raw);
  if (!saved.success) return null;
  // Drafts go back as typed (the schema would fill defaults in); one that no longer validates is dropped.
  const drafts = saved.data.drafts.filter((draft) => startRunSchema.safeParse(draft).success) as StartRunRequest[];
  return { form: saved.data.form, drafts };
}

export function saveLaunch(storage: KeyValueStorage, saved: SavedLaunch): void {
  try {
    storage.setItem(LAUNCH_FORM_STORAGE_KEY, JSON.stringify(saved));
  } catch {
    // A full or disabled storage only costs the restore after a reload.
  }
}
