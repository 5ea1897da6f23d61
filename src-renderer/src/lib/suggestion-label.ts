import { RESIZE_OPTIONS } from '../../../src-main/shared/train/run-config';
import { suggestedValue, type FieldSuggestion } from '../../../src-main/shared/refusal';

/**
 * The value the form takes for a suggestion. The image size is a choice among
 * RESIZE_OPTIONS: the smallest offered side at least `min`, or the largest at most `max`.
 */
export function formValueFor(suggestion: FieldSuggestion): number | undefined {
  if (suggestion.field !== 'resize') return suggestedValue(suggestion);
  if (suggestion.min !== undefined) return RESIZE_OPTIONS.find((side) => side >= suggestion.min!);
  return [...RESIZE_OPTIONS].reverse().find((side) => side <= suggestion.max!);
}

/** A suggestion as the button that applies it: "Use batch size 48", "Use 32 px". */
export function suggestionLabel(suggestion: FieldSuggestion): string | undefined {
  const value = formValueFor(suggestion);
  if (value === undefined) return undefined;
  switch (suggestion.field) {
    case 'batchSize':
      return `Use batch size ${value}`;
    case 'resize':
      return `Use ${value} px`;
    case 'widthRatio':
      return `Use width ratio ${value}`;
    case 'denseUnits':
      return `Use ${value} dense units`;
    case 'threads':
      // The form has no thread count: a run launched here plans its threads to fit the memory.
      return undefined;
  }
}
