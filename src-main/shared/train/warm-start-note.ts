import type { StartEvent } from './events';

export type WarmStartInfo = NonNullable<StartEvent['warmStart']>;

/**
 * The line a warm-started run's notes keep (the run row has no column for it):
 * `Initialised from run abc (epoch 0): copied conv1, conv2; fresh dense3.`
 * Written when the run starts, read back by replay so the layer list shows there too.
 */
export function warmStartNote(warm: WarmStartInfo): string {
  return `Initialised from run ${warm.fromRun} (epoch ${warm.epoch}): copied ${warm.copied.join(', ') || 'none'}; fresh ${warm.fresh.join(', ') || 'none'}.`;
}

const NOTE = /^Initialised from run (\S+) \(epoch (\d+)\): copied (.*); fresh (.*)\.$/m;
const names = (list: string): string[] => (list === 'none' ? [] : list.split(', '));

/** The warm start a run's notes record, or undefined (a run started fresh, or notes edited away). */
export function parseWarmStartNote(notes: string): WarmStartInfo | undefined {
  const match = NOTE.exec(notes);
  if (!match) return undefined;
  return { fromRun: match[1]!, epoch: Number(match[2]), copied: names(match[3]!), fresh: names(match[4]!) };
}
