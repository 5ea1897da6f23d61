import type { EngineStatusInfo } from '../../../src-main/api/entities';
import { ENGINE_IDS, TORCH_DEVICES, type EngineChoice, type TorchDevice } from '../../../src-main/shared/train/run-config';

/** One choice of an Engine select: its value and what it says. */
export interface EngineOption {
  value: EngineChoice;
  label: string;
}

/**
 * The Engine choices a form offers (Launch, Resume): auto, naming the engine
 * it picks here, then every engine in the service's order, marked where it is
 * unavailable or runs on a software GPU adapter, from the catalog's probe.
 */
export function engineOptions(engines: readonly Pick<EngineStatusInfo, 'id' | 'available' | 'adapter'>[], auto: Pick<EngineStatusInfo, 'id'> | null): EngineOption[] {
  const label = (id: (typeof ENGINE_IDS)[number]): string => {
    const engine = engines.find((e) => e.id === id);
    if (!engine) return id;
    if (!engine.available) return `${id} (unavailable)`;
    return engine.adapter?.software ? `${id} (software adapter)` : id;
  };
  return [{ value: 'auto', label: auto ? `auto: ${auto.id}` : 'auto' }, ...ENGINE_IDS.map((id) => ({ value: id, label: label(id) }))];
}

/** One choice of the pytorch engine's Device select. */
export interface DeviceOption {
  value: TorchDevice;
  label: string;
}

/** The pytorch engine's devices, auto naming the one its probe found best here ("cuda", "cpu": its detail starts with it). */
export function torchDeviceOptions(engines: readonly Pick<EngineStatusInfo, 'id' | 'available' | 'detail'>[]): DeviceOption[] {
  const best = engines.find((e) => e.id === 'pytorch' && e.available)?.detail?.split(' · ')[0];
  return TORCH_DEVICES.map((device) => ({ value: device, label: device === 'auto' ? `auto: ${best ?? 'the best torch sees'}` : device }));
}
