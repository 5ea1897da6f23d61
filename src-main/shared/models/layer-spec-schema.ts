import { z } from 'zod';
import type { LayerSpec } from './layer-spec';

const int = z.number().int();
const activationSchema = z.enum(['relu', 'sigmoid', 'linear']);
const named = { name: z.string().optional() };

/**
 * LayerSpec as a schema, for architectures that cross a boundary (API
 * messages, imported run files). Typed against LayerSpec, so a new layer kind
 * that is not added here fails to compile rather than being refused at run time.
 */
export const layerSpecSchema: z.ZodType<LayerSpec> = z.union([
  z.object({
    ...named,
    kind: z.literal('conv'),
    filters: int.min(1),
    kernel: int.min(1),
    stride: int.min(1),
    padding: z.enum(['same', 'valid']),
    pad: int.min(0).optional(),
    activation: activationSchema,
  }),
  z.object({ ...named, kind: z.enum(['maxpool', 'avgpool']), size: int.min(1), stride: int.min(1) }),
  z.object({ ...named, kind: z.literal('flatten') }),
  z.object({ ...named, kind: z.literal('dense'), units: int.min(1), activation: activationSchema }),
  z.object({ ...named, kind: z.literal('dropout'), rate: z.number().min(0).max(1) }),
]);
