import type { Command } from 'commander';
import { FASHION_MNIST_CLASSES, locateFashionMnist } from '../core/data/fashion-mnist';
import { appDataDir } from '../core/paths';
import { downloadWithProgress } from './ensure-dataset';
import { userPath } from './user-path';

export function registerDataCommands(program: Command): void {
  const data = program.command('data').description('Where Fashion-MNIST is, and fetching it.');
  data
    .command('status')
    .description('Say where the training data will be read from.')
    .option('--data <dir>', 'a folder to check instead of the usual places', userPath)
    .option('--json', 'print JSON')
    .action((flags: { data?: string; json?: boolean }) => {
      const location = locateFashionMnist({ dir: flags.data, dataDir: appDataDir() });
      if (flags.json) {
        process.stdout.write(`${JSON.stringify({ ...location, classes: FASHION_MNIST_CLASSES })}\n`);
      } else if (location.kind === 'found') {
        process.stdout.write(`Fashion-MNIST (${location.source}): ${location.dir}\n`);
      } else {
        process.stdout.write(`Fashion-MNIST is not here yet; \`vgg-workbench data download\` puts it in ${location.dir}\n`);
      }
    });
  data
    .command('download')
    .description('Download the four Fashion-MNIST files into the app data folder, checking their SHA-256.')
    .option('--url <base>', 'folder URL holding the four .gz files (default: the official mirror)')
    .action(async (flags: { url?: string }) => {
      const dir = await downloadWithProgress(appDataDir(), false, flags.url);
      process.stdout.write(`Fashion-MNIST is in ${dir}\n`);
    });
}
