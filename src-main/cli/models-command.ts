import type { Command } from 'commander';
import { findPreset, PRESETS, resolveNetwork } from '../shared/models/presets';
import { summarizeNetwork, type NetworkSummary } from '../shared/models/summary';
import type { InputShape } from '../shared/models/layer-spec';
import { formatSummary } from './format-summary';
import { inputShape, positiveInt } from './option-parsers';
import { UsageError } from './usage-error';
import { messageWithFlags } from './flag-advice';
import { NUM_CLASSES } from '../shared/data/fashion-mnist-facts';

interface ModelsFlags {
  model?: string;
  input?: [number, number, number];
  resize?: number;
  classes: number;
  widthRatio?: number;
  dense?: number;
  batch?: number;
  json?: boolean;
}

export function registerModelsCommand(program: Command): void {
  program
    .command('models')
    .description('Summarise networks: output shape, parameters and multiply-accumulates of every layer.')
    .option('--model <name>', 'one preset (default: all)')
    .option('--input <HxWxC>', 'input shape, e.g. 224x224x3 (default: the preset’s image size, 1 channel)', inputShape)
    .option('--resize <side>', 'square grayscale input of this side (same as --input SxSx1)', positiveInt)
    .option('--classes <n>', 'output classes', positiveInt, NUM_CLASSES)
    .option('--width-ratio <n>', "divide every VGG block's channels by n", positiveInt)
    .option('--dense <units>', 'width of the hidden dense layers of a VGG', positiveInt)
    .option('--batch <n>', 'batch size for the activation-memory figure', positiveInt)
    .option('--json', 'print JSON: for each model its name, params, macs and layers')
    .action((flags: ModelsFlags) => {
      const summaries = summarize(flags);
      if (flags.json) {
        const out = summaries.map((s) => ({
          name: s.name,
          inputShape: s.inputShape,
          params: s.totalParams,
          macs: s.totalMacs,
          activationBytes: s.activationBytes,
          parameterBytes: s.parameterBytes,
          layers: s.layers.map((l) => ({ name: l.name, kind: l.kind, outputShape: l.outputShape, params: l.params, macs: l.macs })),
        }));
        process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
      } else {
        process.stdout.write(summaries.map(formatSummary).join('\n\n') + '\n');
      }
    });
}

function summarize(flags: ModelsFlags): NetworkSummary[] {
  if (flags.input && flags.resize) throw new UsageError('--input and --resize both set the input size: give one of them.');
  const ids = flags.model ? [flags.model] : PRESETS.map((p) => p.id);
  try {
    return ids.map((id) => {
      const preset = findPreset(id);
      // Width and dense flags only make sense for VGGs; when listing all, apply them where they do.
      const vgg = preset.family === 'vgg';
      const network = resolveNetwork(
        {
          model: id,
          widthRatio: vgg ? flags.widthRatio : undefined,
          denseUnits: vgg ? flags.dense : undefined,
        },
        flags.classes,
      );
      const side = flags.resize ?? preset.defaults.resize;
      const shape: InputShape = flags.input ?? [side, side, 1];
      return summarizeNetwork(network.layers, shape, {
        name: network.name,
        batchSize: flags.batch ?? preset.defaults.batchSize,
      });
    });
  } catch (error) {
    throw new UsageError(messageWithFlags(error as Error));
  }
}
