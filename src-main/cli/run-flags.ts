import { InvalidArgumentError, Option, type Command } from 'commander';
import { z } from 'zod';
import type { ApiError } from '../api/api-error';
import { runRequestSchema } from '../api/methods';
import { parseArch } from '../shared/models/parse-arch';
import { PRESET_IDS } from '../shared/models/presets';
import { errorMessage } from '../shared/error-message';
import { messageWithFlags } from './flag-advice';
import { UsageError } from './usage-error';

/** A field of the run request (`runs.start`'s `config`): the schema's keys, nothing hand-listed. */
export type RunField = keyof typeof runRequestSchema.shape;
export type RunRequestConfig = z.input<typeof runRequestSchema>;

/**
 * Each field as the flag that sets it, with its help. The type makes the table
 * follow the schema: a new field does not compile until it has a flag here.
 * What the value is (a number, a choice, text) is read from the schema itself.
 */
const FLAGS: Record<RunField, { flag: string; help: string }> = {
  model: { flag: '--model <name>', help: `network preset: ${PRESET_IDS.join(', ')}` },
  name: { flag: '--name <text>', help: 'a name for the run' },
  blocks: { flag: '--arch <blocks>', help: 'VGG blocks as CONVSxCHANNELS, e.g. 1x64,1x128,2x256,2x512,2x512' },
  widthRatio: { flag: '--width-ratio <n>', help: "divide every VGG block's channels by n (the book's ratio)" },
  denseUnits: { flag: '--dense <units>', help: 'width of the two hidden dense layers of a VGG (paper: 4096)' },
  resize: { flag: '--resize <side>', help: 'image side the 28×28 images are resized to (28, 32, 64, 96, 128, 224)' },
  epochs: { flag: '--epochs <n>', help: 'epochs to train' },
  batchSize: { flag: '--batch <n>', help: 'batch size' },
  lr: { flag: '--lr <rate>', help: 'SGD learning rate' },
  momentum: { flag: '--momentum <m>', help: 'SGD momentum (0 = plain SGD)' },
  seed: { flag: '--seed <n>', help: 'random seed for initialisation, shuffling and dropout' },
  trainLimit: { flag: '--train-limit <n>', help: 'train on the first N training images (file order)' },
  testLimit: { flag: '--test-limit <n>', help: 'evaluate on the first N test images' },
  engine: { flag: '--engine <engine>', help: 'TensorFlow.js engine' },
  threads: { flag: '--threads <n>', help: 'CPU threads the wasm engine trains on (default: every core; the results do not change)' },
  initFrom: {
    flag: '--init-from <run>',
    help: "the paper's warm start: copy every layer of matching name and shape from that run's newest checkpoint",
  },
};

/** Request fields outside the config that the train command also sets. */
const REQUEST_FLAGS: Record<string, string> = { dataDir: '--data', epochs: '--epochs' };

// The table's order, model first: the order of the help. Its keys are the schema's, by its type.
const RUN_FIELDS = Object.keys(FLAGS) as RunField[];

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
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n)) throw new InvalidArgumentError('expected a number.');
  return n;
}

function archArgument(value: string): unknown {
  try {
    return parseArch(value);
  } catch (error) {
    throw new InvalidArgumentError(errorMessage(error));
  }
}

function optionFor(field: RunField): Option {
  const { flag, help } = FLAGS[field];
  const option = new Option(flag, help);
  const schema = valueSchema(field);
  if (schema instanceof z.ZodNumber) option.argParser(numberArgument);
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

/** The flag that sets a request field (`config.lr` → `--lr`, `config.blocks.0.convs` → `--arch`, `dataDir` → `--data`). */
export function flagForField(field: string): string | undefined {
  const [head, next] = field.split('.');
  if (head === 'config' && next !== undefined && next in FLAGS) return FLAGS[next as RunField].flag.split(' ')[0];
  return head === undefined ? undefined : REQUEST_FLAGS[head];
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
