import type { LayerSpec } from './layer-spec';

/** What tfjs accepts as a layer name, kept to identifiers so names read well in tables and logs. */
const VALID_NAME = /^[A-Za-z][A-Za-z0-9_]*$/;

/** Prefix of the default name for each kind: the numbering Keras summaries and the book's figures use. */
const DEFAULT_PREFIX: Record<LayerSpec['kind'], string> = {
  conv: 'conv',
  maxpool: 'pool',
  avgpool: 'pool',
  flatten: 'flatten',
  dense: 'fc',
  dropout: 'dropout',
};

/**
 * One name per layer: the spec's own `name`, else `conv1`, `pool1`, `flatten`,
 * `fc1`, `dropout1`, ... counted per prefix. Summary and builder both call this,
 * so a row in the summary table is the tfjs layer of the same name.
 */
export function nameLayers(layers: readonly LayerSpec[]): string[] {
  const counts = new Map<string, number>();
  const names = layers.map((layer) => {
    if (layer.name !== undefined) return layer.name;
    const prefix = DEFAULT_PREFIX[layer.kind];
    const n = (counts.get(prefix) ?? 0) + 1;
    counts.set(prefix, n);
    // A network has one flatten in practice; `flatten` reads better than `flatten1`.
    return prefix === 'flatten' && n === 1 ? 'flatten' : `${prefix}${n}`;
  });

  const seen = new Set<string>();
  names.forEach((name, i) => {
    if (!VALID_NAME.test(name)) {
      throw new Error(
        `layer ${i + 1} has the name "${name}": use letters, digits and _ only, starting with a letter (e.g. block1_conv1)`,
      );
    }
    if (seen.has(name)) {
      throw new Error(`layer name "${name}" is used twice (layer ${i + 1}): give each layer its own name`);
    }
    seen.add(name);
  });
  return names;
}
