/**
 * Colours for the runs of a comparison, the same run the same colour in
 * every small chart and in the shared legend above them. Chosen to stay
 * apart on both the light and the dark background.
 */
const PALETTE = ['#3b7be8', '#e8743b', '#19a979', '#c23bb4', '#d4a20b', '#13a4b4', '#8a5ce6', '#d0505a', '#6f8f2d', '#7a8597'];

export const SERIES_PALETTE_SIZE = PALETTE.length;

export function seriesColor(index: number): string {
  return PALETTE[index % PALETTE.length]!;
}
