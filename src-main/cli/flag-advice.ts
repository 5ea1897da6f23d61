import { suggestionsOf, type FieldSuggestion } from '../shared/refusal';
import { flagForField } from './run-flag-table';

function flagFor(s: FieldSuggestion): string {
  // A suggested field is a field of the run's config: the flag table names it.
  const flag = flagForField(`config.${s.field}`) ?? s.field;
  if (s.max !== undefined && s.min !== undefined) return `${flag} ${s.min} to ${s.max}`;
  return s.max !== undefined ? `${flag} ${s.max} or less` : `${flag} ${s.min} or more`;
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
