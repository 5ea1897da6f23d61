import { z } from 'zod';
import { fieldSuggestionSchema, type FieldSuggestion } from '../shared/refusal';

/**
 * What went wrong, in a form every transport carries unchanged (a class does
 * not survive Electron IPC or JSON). `code` picks the HTTP status in browser
 * mode and lets the renderer tell "fix your input" from "try again later".
 */
export const API_ERROR_CODES = [
  /** The request failed validation or makes no sense (a field out of range). */
  'invalid-request',
  /** No such method. */
  'unknown-method',
  /** No such run, replay or file. */
  'not-found',
  /** The request clashes with the current state (deleting a running run). */
  'conflict',
  /** The request asks for more work than one request may do (an export past its point cap): ask for less. */
  'too-large',
  /** Something the request needs is missing here (the dataset, an engine, predictions). */
  'unavailable',
  /** A token is required and was missing or wrong. */
  'unauthorized',
  /** The caller is not allowed (a foreign origin or frame). */
  'forbidden',
  /** A bug or an I/O failure on our side. */
  'internal',
] as const;
export type ApiErrorCode = (typeof API_ERROR_CODES)[number];

export const apiErrorBodySchema = z.object({
  code: z.enum(API_ERROR_CODES),
  message: z.string(),
  /** The request field at fault (`config.resize`), for forms that mark it. */
  field: z.string().optional(),
  /** With an input-size error: the smallest image side the network accepts. */
  minimumSide: z.number().int().optional(),
  /** Field changes that would make the request acceptable, for the front end to offer. */
  suggestions: z.array(fieldSuggestionSchema).optional(),
});
export type ApiErrorBody = z.infer<typeof apiErrorBodySchema>;

export class ApiError extends Error {
  readonly field?: string;
  readonly minimumSide?: number;
  readonly suggestions?: FieldSuggestion[];

  constructor(
    readonly code: ApiErrorCode,
    message: string,
    details: Omit<ApiErrorBody, 'code' | 'message'> = {},
  ) {
    super(message);
    this.name = 'ApiError';
    if (details.field !== undefined) this.field = details.field;
    if (details.minimumSide !== undefined) this.minimumSide = details.minimumSide;
    if (details.suggestions !== undefined) this.suggestions = details.suggestions;
  }

  static fromBody(body: ApiErrorBody): ApiError {
    const { code, message, ...details } = body;
    return new ApiError(code, message, details);
  }

  toBody(): ApiErrorBody {
    return {
      code: this.code,
      message: this.message,
      ...(this.field !== undefined ? { field: this.field } : {}),
      ...(this.minimumSide !== undefined ? { minimumSide: this.minimumSide } : {}),
      ...(this.suggestions !== undefined ? { suggestions: this.suggestions } : {}),
    };
  }
}

/** Every call answers with one of these, over every transport. */
export const apiEnvelopeSchema = z.discriminatedUnion('ok', [
  z.object({ ok: z.literal(true), result: z.unknown() }),
  z.object({ ok: z.literal(false), error: apiErrorBodySchema }),
]);
export type ApiEnvelope = z.infer<typeof apiEnvelopeSchema>;

/** zod's issues as one line that names the fields: `config.resize: Too small...`. */
export function describeIssues(error: z.ZodError, limit = 5): { message: string; field?: string } {
  const issues = error.issues.slice(0, limit).map((issue) => {
    const path = issue.path.map(String).join('.');
    return path ? `${path}: ${issue.message}` : issue.message;
  });
  const more = error.issues.length - limit;
  const first = error.issues[0]?.path.map(String).join('.');
  return {
    message: `${issues.join('; ')}${more > 0 ? `; and ${more} more` : ''}`,
    ...(first ? { field: first } : {}),
  };
}
