import type { Command } from 'commander';
import { engineForAuto } from '../shared/train/auto-engine';
import { addPythonFlag } from './python-flag';
import { errorMessage } from '../shared/error-message';
import type { EngineChoice } from '../shared/train/run-config';

export function registerEnginesCommand(program: Command): void {
  addPythonFlag(
    program.command('engines').description('List the engines (the TensorFlow.js backends and pytorch), which are available here, and why the others are not.'),
  )
    .option('--json', 'print JSON')
    .option('--measure', "time each available engine on the plans' reference workload and keep the speeds: auto takes pytorch where it is faster")
    .action(async (flags: { json?: boolean; measure?: boolean }) => {
      // Loaded on demand: it pulls in tfjs and the wasm binary, which other commands do not need.
      const { probeEngines, ENGINE_ROWS } = await import('../core/engine/engines');
      const engines = await probeEngines();
      if (flags.measure) await measureEngines(engines.filter((e) => e.available && e.adapter?.software !== true).map((e) => e.id), flags.json === true);
      const { readMeasuredSpeeds } = await import('../core/engine/measured-speeds');
      const { fasterByMeasurement } = await import('../core/engine/auto-by-speed');
      const speeds = readMeasuredSpeeds();
      if (flags.json) {
        process.stdout.write(`${JSON.stringify(engines.map((e) => ({ ...e, ...(speeds[e.id] ? { measured: speeds[e.id] } : {}) })), null, 2)}\n`);
        return;
      }
      const { formatBytes } = await import('../core/train/memory-estimate');
      const walked = engineForAuto(engines)?.id;
      const ownRunners = engines.filter((e) => e.available && ENGINE_ROWS[e.id].run !== undefined).map((e) => e.id);
      const picked = walked === undefined ? undefined : (fasterByMeasurement(walked, ownRunners, speeds) ?? walked);
      for (const engine of engines) {
        const mark = engine.available ? (engine.id === picked ? '* ' : '+ ') : '- ';
        const version = engine.version ? ` ${engine.version}` : '';
        process.stdout.write(`${mark}${engine.id.padEnd(15)} ${engine.package}${version}\n`);
        const why = engine.available ? engine.detail : engine.reason;
        if (why) process.stdout.write(`    ${why.replace(/\n/g, '\n    ')}\n`);
        const speed = speeds[engine.id];
        if (speed) process.stdout.write(`    measured ${Math.round(speed.imagesPerSec)} images/s on ${SPEED_LABEL} (${new Date(speed.measuredAt).toISOString().slice(0, 16)})\n`);
        const limits = engine.adapter?.limits;
        if (limits) {
          process.stdout.write(
            `    limits: buffer ${formatBytes(limits.maxBufferSize)}, storage binding ${formatBytes(limits.maxStorageBufferBindingSize)}, ` +
              `workgroup memory ${limits.maxComputeWorkgroupStorageSize} bytes, ${limits.maxComputeInvocationsPerWorkgroup} invocations per workgroup\n`,
          );
        }
      }
      process.stdout.write('\n* used by --engine auto (pytorch only where measured faster: engines --measure)   + available   - unavailable\n');
    });
}

const SPEED_LABEL = 'VGG-11/8, 32 px, batch 64';

/** Times each engine in a child process of its own (tfjs-node loads once per process); each records its speed. */
async function measureEngines(ids: readonly EngineChoice[], quiet: boolean): Promise<void> {
  const { measureSpeedInChildProcess } = await import('../service/engine-speed');
  for (const id of ids) {
    if (!quiet) process.stderr.write(`measuring ${id}…\n`);
    try {
      await measureSpeedInChildProcess(id);
    } catch (error) {
      process.stderr.write(`${id}: ${errorMessage(error)}\n`);
    }
  }
}
