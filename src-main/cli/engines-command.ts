import type { Command } from 'commander';
import { engineForAuto } from '../shared/train/auto-engine';
import { addPythonFlag } from './python-flag';

export function registerEnginesCommand(program: Command): void {
  addPythonFlag(
    program.command('engines').description('List the engines (the TensorFlow.js backends and pytorch), which are available here, and why the others are not.'),
  )
    .option('--json', 'print JSON')
    .action(async (flags: { json?: boolean }) => {
      // Loaded on demand: it pulls in tfjs and the wasm binary, which other commands do not need.
      const { probeEngines } = await import('../core/engine/engines');
      const engines = await probeEngines();
      if (flags.json) {
        process.stdout.write(`${JSON.stringify(engines, null, 2)}\n`);
        return;
      }
      const { formatBytes } = await import('../core/train/memory-estimate');
      const picked = engineForAuto(engines)?.id;
      for (const engine of engines) {
        const mark = engine.available ? (engine.id === picked ? '* ' : '+ ') : '- ';
        const version = engine.version ? ` ${engine.version}` : '';
        process.stdout.write(`${mark}${engine.id.padEnd(15)} ${engine.package}${version}\n`);
        const why = engine.available ? engine.detail : engine.reason;
        if (why) process.stdout.write(`    ${why.replace(/\n/g, '\n    ')}\n`);
        const limits = engine.adapter?.limits;
        if (limits) {
          process.stdout.write(
            `    limits: buffer ${formatBytes(limits.maxBufferSize)}, storage binding ${formatBytes(limits.maxStorageBufferBindingSize)}, ` +
              `workgroup memory ${limits.maxComputeWorkgroupStorageSize} bytes, ${limits.maxComputeInvocationsPerWorkgroup} invocations per workgroup\n`,
          );
        }
      }
      process.stdout.write('\n* used by --engine auto   + available   - unavailable\n');
    });
}
