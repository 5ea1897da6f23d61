import { spawn } from 'node:child_process';
import { createReadStream, createWriteStream, existsSync, mkdirSync, renameSync, statSync, copyFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';

/**
 * xz-compresses a file, keeping the result in a cache keyed by the source's
 * path, size and modification time: the Node binary takes about a minute to
 * compress on two cores and rarely changes. run.sh unpacks with xz, or with
 * Python's lzma where xz is missing (the GPU machines have Python for PyTorch).
 */
export async function xzCompressed(source: string, target: string, cacheDir: string): Promise<void> {
  const { size, mtimeMs } = statSync(source);
  const key = `${source.replace(/[^\w.-]+/g, '_')}-${size}-${Math.floor(mtimeMs)}.xz`;
  const cached = join(cacheDir, key);
  if (!existsSync(cached)) {
    mkdirSync(cacheDir, { recursive: true });
    const partial = `${cached}.partial`;
    const xz = spawn('xz', ['--compress', '--stdout', '-6', '--threads=0'], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stderr = '';
    xz.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const exited = new Promise<number | null>((resolve, reject) => {
      xz.on('error', (error) => reject(new Error(`xz could not start (${error.message}): apt-get install xz-utils`)));
      xz.on('close', resolve);
    });
    await Promise.all([pipeline(createReadStream(source), xz.stdin), pipeline(xz.stdout, createWriteStream(partial))]);
    const code = await exited;
    if (code !== 0) throw new Error(`xz failed on ${source} (exit status ${code}): ${stderr.trim()}`);
    renameSync(partial, cached);
  }
  mkdirSync(dirname(target), { recursive: true });
  copyFileSync(cached, target);
}
