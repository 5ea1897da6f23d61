import { suggestionsOf, type FieldSuggestion, type SuggestedField } from '../shared/refusal';

/** The flag that sets each field a refusal may suggest changing. */
const FLAG: Record<SuggestedField, string> = {
  batchSize: '--batch',
  resize: '--resize',
  widthRatio: '--width-ratio',
  denseUnits: '--dense',
  threads: '--threads',
};

function flagFor(s: FieldSuggestion): string {
  if (s.max !== undefined && s.min !== undefined) return `${FLAG[s.field]} ${s.min} to ${s.max}`;
  return s.max !== undefined ? `${FLAG[s.field]} ${s.max} or less` : `${FLAG[s.field]} ${s.min} or more`;
}

/** A refusal's suggestions as the flags to type: "Use --batch 48 or less, or --resize 64 or less." (empty without any). */
export function flagAdvice(suggestions: readonly FieldSuggestion[]): string {
  return suggestions.length === 0 ? '' : `Use ${suggestions.map(flagFor).join(', or ')}.`;
}

/** An error's message, followed by its suggestions as flags when it has some. */
export function messageWithFlags(error: { message: string }): string {
  const advice = flagAdvice(suggestionsOf(error));
  return advice === '' ? error.message : `${error.message} ${advice}`;
}
