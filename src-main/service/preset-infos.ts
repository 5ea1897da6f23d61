import type { PresetInfo } from '../api/entities';
import { PRESETS, resolveNetwork } from '../shared/models/presets';
import { minimumInputSide } from '../shared/models/summary';

/** The presets as `models.presets` sends them: each row, its book recipe and the smallest image side it accepts. */
export function presetInfos(): PresetInfo[] {
  return PRESETS.map((preset) => {
    const minimumSide = minimumInputSide(resolveNetwork({ model: preset.id }).layers);
    const common = {
      id: preset.id,
      label: preset.label,
      source: preset.source,
      ...(preset.sourceOriginalTitle !== undefined ? { sourceOriginalTitle: preset.sourceOriginalTitle } : {}),
      defaults: { ...preset.defaults },
      minimumSide,
    };
    return preset.family === 'vgg'
      ? { ...common, family: 'vgg', blocks: preset.blocks.map((b) => ({ ...b })) }
      : { ...common, family: 'fixed', layers: preset.layers.map((l) => ({ ...l })) };
  });
}
