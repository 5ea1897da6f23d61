import { SingleBar, Presets } from 'cli-progress';
import { locateFashionMnist } from '../core/data/fashion-mnist';
import { downloadFashionMnist } from '../core/data/download';
import { appDataDir } from '../core/paths';

/**
 * Finds Fashion-MNIST (a named folder, Debian's package, an earlier download)
 * or downloads it into the app's data folder with a progress bar per file.
 * Returns the folder to train from.
 */
export async function ensureFashionMnist(dir: string | undefined, { quiet }: { quiet: boolean }): Promise<string> {
  const dataDir = appDataDir();
  const location = locateFashionMnist({ dir, dataDir });
  if (location.kind === 'found') return location.dir;
  if (!quiet) process.stderr.write(`Fashion-MNIST not found; downloading it into ${location.dir}\n`);
  return downloadWithProgress(dataDir, quiet);
}

export async function downloadWithProgress(dataDir: string, quiet: boolean, baseUrl?: string): Promise<string> {
  let bar: SingleBar | undefined;
  let current = '';
  const dir = await downloadFashionMnist({
    dataDir,
    baseUrl,
    onProgress: (file, received, total) => {
      if (quiet || !process.stderr.isTTY) return;
      if (file !== current) {
        bar?.stop();
        current = file;
        bar = new SingleBar(
          { format: `${file} |{bar}| {percentage}% {value}/{total} bytes`, stream: process.stderr },
          Presets.shades_classic,
        );
        bar.start(total ?? 0, 0);
      }
      bar?.update(received);
    },
  });
  bar?.stop();
  return dir;
}
