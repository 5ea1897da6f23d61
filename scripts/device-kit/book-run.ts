/**
 * `start.mjs book`: the chapter's budget through the pytorch engine's runner,
 * for the device kit's `run.sh --book`. The kit carries no SQLite store, so
 * this is the runner itself (core/engine/pytorch, the row's `run`) with each
 * event printed as a JSON line instead of recorded: the same job, the same
 * script, the same validation of every line as a recorded run gets.
 *
 *   node start.mjs book --data DIR [--device cuda] [--epochs 10] [--resize 224] [--train-limit N] [--test-limit N]
 *
 * The overrides exist so the kit can be checked on a CPU with a tiny run.
 */
import { parseArgs } from 'node:util';
import { fashionMnistDataFiles, findFashionMnistFiles } from '../../src-main/core/data/fashion-mnist';
import { ENGINE_ROWS } from '../../src-main/core/engine/engines';
import { detachedRunContext } from '../../src-main/core/engine/detached-run-context';
import { errorMessage } from '../../src-main/shared/error-message';
import { runConfigSchema } from '../../src-main/shared/train/run-config';

/** d2l §8.2.3: VGG-11 with channels // 4 (ratio = 4), 224×224, lr 0.05, batch 128, 10 epochs; the dense 4096 kept. */
export const BOOK_BUDGET = { model: 'vgg11', widthRatio: 4, resize: 224, epochs: 10, lr: 0.05, batchSize: 128 } as const;

const wholeNumber = (name: string, text: string | undefined): number | undefined => {
  if (text === undefined) return undefined;
  if (!/^\d+$/.test(text)) throw new Error(`--${name} must be a whole number (got "${text}")`);
  return Number(text);
};

export async function runBook(argv: readonly string[]): Promise<number> {
  try {
    const { values } = parseArgs({
      args: [...argv],
      options: {
        data: { type: 'string' },
        device: { type: 'string', default: 'cuda' },
        epochs: { type: 'string' },
        resize: { type: 'string' },
        'train-limit': { type: 'string' },
        'test-limit': { type: 'string' },
      },
    });
    if (values.data === undefined) throw new Error('--data DIR is required: the folder of the four Fashion-MNIST files');
    const { paths, missing } = findFashionMnistFiles(values.data);
    const data = fashionMnistDataFiles(paths);
    if (!data) throw new Error(`--data ${values.data} lacks ${missing.join(', ')}`);
    const overrides = {
      epochs: wholeNumber('epochs', values.epochs),
      resize: wholeNumber('resize', values.resize),
      trainLimit: wholeNumber('train-limit', values['train-limit']),
      testLimit: wholeNumber('test-limit', values['test-limit']),
    };
    const config = runConfigSchema.parse({
      ...BOOK_BUDGET,
      ...Object.fromEntries(Object.entries(overrides).filter(([, value]) => value !== undefined)),
      engine: 'pytorch',
      device: values.device,
    });
    const row = ENGINE_ROWS.pytorch;
    if (!row.run) throw new Error('the pytorch engine row has no runner');
    const engine = { id: 'pytorch' as const, ...(await row.load({ byName: true, ownRunnerOk: true })) };
    // On a GPU the script checks the device's free memory itself (mem_get_info).
    const result = await row.run(
      detachedRunContext({ runId: 'book', config, engine, data, emit: (event) => process.stdout.write(`${JSON.stringify(event)}\n`) }),
    );
    return result.status === 'completed' ? 0 : 1;
  } catch (error) {
    process.stderr.write(`error: ${errorMessage(error)}\n`);
    return 2;
  }
}
