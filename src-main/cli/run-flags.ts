import { InvalidArgumentError, Option, type Command } from 'commander';
import { z } from 'zod';
import type { ApiError } from '../api/api-error';
import { runRequestSchema } from '../api/methods';
import { parseArch } from '../shared/models/parse-arch';
import { errorMessage } from '../shared/error-message';
import { messageWithFlags } from './flag-advice';
import { decimalNumber, runIdOrPrefix } from './option-parsers';
import { UsageError } from './usage-error';
import { FLAGS, flagForField, RUN_FIELDS, type RunField, type RunRequestConfig } from './run-flag-table';

/** The field's schema without optional, default and non-optional wrappers: what its value is. */
function valueSchema(field: RunField): z.ZodType {
  let schema: z.ZodType = runRequestSchema.shape[field];
  while (schema instanceof z.ZodOptional || schema instanceof z.ZodDefault || schema instanceof z.ZodNonOptional) {
    schema = schema.unwrap() as z.ZodType;
  }
  return schema;
}

/** Text to a number; its range is the service's to check, so the refusal (naming the flag) comes from one place. */
function numberArgument(value: string): number {
  const n = decimalNumber(value);
  if (n === undefined || !Number.isFinite(n)) throw new InvalidArgumentError('expected a decimal number, e.g. 2 or 0.05.');
  return n;
}

function archArgument(value: string): unknown {
  try {
    return parseArch(value);
  } catch (error) {
    throw new InvalidArgumentError(errorMessage(error));
  }
}

/** `off`, or a number whose range the service checks. */
function layerStatsArgument(value: string): number | 'off' {
  if (value.trim().toLowerCase() === 'off') return 'off';
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n)) throw new InvalidArgumentError('expected a number of batches, or off.');
  return n;
}

/** Text the schema cannot tell from any other: a run id, never empty (an empty prefix would match every run); a number or a word. */
const TEXT_PARSERS: Partial<Record<RunField, (value: string) => unknown>> = { initFrom: runIdOrPrefix, layerStats: layerStatsArgument };

function optionFor(field: RunField): Option {
  const { flag, help } = FLAGS[field];
  const option = new Option(flag, help);
  const schema = valueSchema(field);
  const text = TEXT_PARSERS[field];
  if (text) option.argParser(text);
  else if (schema instanceof z.ZodNumber) option.argParser(numberArgument);
  else if (schema instanceof z.ZodEnum) option.choices(schema.options.map(String));
  else if (schema instanceof z.ZodArray) option.argParser(archArgument); // blocks, the one list: the chapter's CONVSxCHANNELS
  return option;
}

/** Adds one flag per run field; `model` defaults to VGG-11, the chapter's network. */
export function addRunFlags(command: Command): Command {
  for (const field of RUN_FIELDS) {
    const option = optionFor(field);
    command.addOption(field === 'model' ? option.default('vgg11') : option);
  }
  return command;
}

const attribute = (field: RunField): string => new Option(FLAGS[field].flag).attributeName();

/** The run fields the user typed (not commander's defaults). */
export function givenRunFields(command: Command): RunField[] {
  return RUN_FIELDS.filter((field) => command.getOptionValueSource(attribute(field)) === 'cli');
}

/** The flags' values as a run request: only what was given, plus the default model. */
export function runRequestFromFlags(command: Command): RunRequestConfig {
  const values = command.opts<Record<string, unknown>>();
  const request: Record<string, unknown> = {};
  for (const field of RUN_FIELDS) {
    const value = values[attribute(field)];
    if (value !== undefined) request[field] = value;
  }
  return request as RunRequestConfig;
}

/**
 * The service's refusal of a run request in the command line's words: the
 * flag at fault leads instead of the field path, and its suggestions read as
 * flags. A refusal that names no flag keeps its message.
 */
export function refusalAsUsage(error: ApiError): UsageError {
  const message = messageWithFlags(error);
  const flag = error.field === undefined ? undefined : flagForField(error.field);
  if (flag === undefined || error.field === undefined) return new UsageError(message);
  return new UsageError(`${flag}: ${withoutFieldPrefix(message, error.field)}`);
}

/** Drops the `runs.start: ` and `config.lr: ` / `lr: ` the service puts before its message. */
function withoutFieldPrefix(message: string, field: string): string {
  const segments = field.split('.');
  const names = new Set([...segments, ...segments.map((_, i) => segments.slice(i).join('.'))]);
  let rest = message.replace(/^runs\.\w+: /, '');
  const lead = /^([\w.]+): /.exec(rest);
  if (lead && names.has(lead[1]!)) rest = rest.slice(lead[0].length);
  return rest;
}
