import { z } from 'zod';

/**
 * A change to one run field that would make a refused run acceptable:
 * `{ field: 'batchSize', max: 48 }` (48 or less), `{ field: 'resize', min: 32 }`
 * (32 or more). Core says what would work; each front end words it its own
 * way: the CLI as flags (`--batch 48 or less`), the GUI as a button that sets the field.
 */
export const SUGGESTED_FIELDS = ['batchSize', 'resize', 'widthRatio', 'denseUnits', 'threads'] as const;
export type SuggestedField = (typeof SUGGESTED_FIELDS)[number];

export const fieldSuggestionSchema = z
  .object({
    field: z.enum(SUGGESTED_FIELDS),
    /** The largest value that works (or the value itself, with min). */
    max: z.number().optional(),
    /** The smallest value that works. */
    min: z.number().optional(),
  })
  .strict()
  .refine((s) => s.max !== undefined || s.min !== undefined, 'a suggestion names max or min');
export type FieldSuggestion = z.infer<typeof fieldSuggestionSchema>;

/** The value a suggestion sets the field to: its bound (the largest that works, else the smallest). */
export function suggestedValue(suggestion: FieldSuggestion): number {
  return suggestion.max ?? suggestion.min ?? 0;
}

/** Errors that know what would have worked say so here; anything else has no suggestions. */
export function suggestionsOf(error: unknown): FieldSuggestion[] {
  if (typeof error !== 'object' || error === null || !('suggestions' in error)) return [];
  const parsed = z.array(fieldSuggestionSchema).safeParse((error as { suggestions: unknown }).suggestions);
  return parsed.success ? parsed.data : [];
}
