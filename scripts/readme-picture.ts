/**
 * Draws the README's picture from real output: runs the CLI (a summary and a
 * short training run on the real Fashion-MNIST) and sets the text in an SVG
 * terminal window. Re-run it whenever the output changes:
 *   npx tsx scripts/readme-picture.ts
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';

const commands: string[][] = [
  ['models', '--model', 'vgg11', '--resize', '96'],
  ['train', '--model', 'lenet', '--epochs', '2', '--batch', '64', '--lr', '0.05', '--momentum', '0.9', '--train-limit', '10000', '--test-limit', '2000'],
];

const lines: string[] = [];
for (const args of commands) {
  lines.push(`$ vgg-workbench ${args.join(' ')}`);
  const run = spawnSync(process.execPath, ['--import', 'tsx', 'src-main/cli/main.ts', ...args], { encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`vgg-workbench ${args.join(' ')} failed: ${run.stderr}`);
  lines.push(...run.stdout.trimEnd().split('\n'), '');
}

const escape = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const lineHeight = 17;
const charWidth = 7.8;
const width = Math.ceil(Math.max(...lines.map((l) => l.length)) * charWidth + 40);
const height = lines.length * lineHeight + 60;
const text = lines
  .map((line, i) => {
    const fill = line.startsWith('$') ? '#8ae234' : line.startsWith('Epoch') ? '#fce94f' : '#eeeeec';
    return `<text x="20" y="${50 + i * lineHeight}" fill="${fill}">${escape(line)}</text>`;
  })
  .join('\n');
const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">
<rect width="100%" height="100%" rx="8" fill="#1e1e1e"/>
<circle cx="20" cy="16" r="6" fill="#ff5f56"/><circle cx="40" cy="16" r="6" fill="#ffbd2e"/><circle cx="60" cy="16" r="6" fill="#27c93f"/>
<g font-family="DejaVu Sans Mono, Menlo, Consolas, monospace" font-size="13" xml:space="preserve">
${text}
</g>
</svg>
`;
writeFileSync('resources/readme/cli.svg', svg);
console.log(`wrote resources/readme/cli.svg (${lines.length} lines)`);
