import type { EngineRow } from '../engine-row';
import { ENGINE_PACKAGES } from '../engine-packages';
import { machineMemory } from '../machine-memory';
import { formatBytes } from '../../../shared/format';
import { discoverTorchOnce } from './discover-torch';
import { describeCandidate } from './find-python';

/**
 * The pytorch engine: the user's own PyTorch, started as a child process that
 * runs resources/pytorch/vgg_trainer.py and speaks JSON lines
 * (docs/pytorch-protocol.md). It is not a tfjs backend: its row brings its own
 * runner. Its memory rule is the machine's on the CPU; on a GPU the script
 * checks the device's free memory itself (torch.cuda.mem_get_info).
 */
export const pytorchRow: EngineRow = {
  id: 'pytorch',
  package: ENGINE_PACKAGES.pytorch,
  load: async () => {
    const { python, probe, passedOver } = await discoverTorchOnce();
    const memory = probe.deviceMemoryBytes === undefined ? '' : ` ${formatBytes(probe.deviceMemoryBytes)}`;
    const device = [probe.device, probe.deviceName ? `${probe.deviceName}${memory}` : undefined].filter((part) => part !== undefined).join(' · ');
    const skipped = passedOver.length > 0 ? `; passed over ${passedOver.join(', ')}` : '';
    return { backend: probe.device, version: probe.torch, detail: `${device} · ${describeCandidate(python)}${skipped}` };
  },
  memory: (availableBytes) => machineMemory('pytorch', availableBytes),
  run: async (context) => (await import('./run-with-torch')).runWithTorch(context),
};
