import { VGG_BLOCK_LIMITS, type VggBlock } from './layer-spec';

const EXAMPLE = '1x64,1x128,2x256,2x512,2x512';
/** `2x256`, also `2X256` and `2×256`, spaces allowed around the numbers. */
const BLOCK = /^\s*(\S+?)\s*[xX×]\s*(\S+?)\s*$/;

function wholeNumber(text: string): number | undefined {
  return /^\d+$/.test(text) ? Number(text) : undefined;
}

/**
 * Reads blocks written as the chapter's `((1,64), (1,128), ...)` in a form that
 * fits a command line: `convs x channels`, comma separated, e.g. `1x64,1x128,2x256`.
 * Errors name the block, the field and how to fix it.
 */
export function parseArch(text: string): VggBlock[] {
  const { convs, channels, blocks } = VGG_BLOCK_LIMITS;
  if (text.trim() === '') {
    throw new Error(`arch is empty: write blocks as <convs>x<channels> separated by commas, e.g. ${EXAMPLE}`);
  }
  const parts = text.split(',');
  if (parts.length > blocks.max) {
    throw new Error(`arch has ${parts.length} blocks; at most ${blocks.max} are allowed`);
  }
  return parts.map((part, i) => {
    const where = `arch block ${i + 1} "${part.trim()}"`;
    const match = BLOCK.exec(part);
    if (match === null) {
      throw new Error(`${where} is not <convs>x<channels>: write it like 2x256 (blocks separated by commas, e.g. ${EXAMPLE})`);
    }
    const [, convsText = '', channelsText = ''] = match;
    const blockConvs = wholeNumber(convsText);
    if (blockConvs === undefined || blockConvs < convs.min || blockConvs > convs.max) {
      throw new Error(
        `${where}: convs must be a whole number from ${convs.min} to ${convs.max} (got "${convsText}"), e.g. 2x${channelsText}`,
      );
    }
    const blockChannels = wholeNumber(channelsText);
    if (blockChannels === undefined || blockChannels < channels.min || blockChannels > channels.max) {
      throw new Error(
        `${where}: channels must be a whole number from ${channels.min} to ${channels.max} (got "${channelsText}"), e.g. ${convsText}x256`,
      );
    }
    return { convs: blockConvs, channels: blockChannels };
  });
}

/** The inverse of `parseArch`: `[{convs:1,channels:64}, ...]` → `1x64,...`. */
export function formatArch(blocks: readonly VggBlock[]): string {
  return blocks.map((b) => `${b.convs}x${b.channels}`).join(',');
}
