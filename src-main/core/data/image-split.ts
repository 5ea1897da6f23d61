/**
 * One split (train or test) of a grayscale image dataset, kept as the raw
 * bytes of its IDX files: 60,000 Fashion-MNIST images are 47 MB this way,
 * against 188 MB as float32 and gigabytes once resized, so scaling and
 * resizing happen per batch (see batches.ts).
 */
export interface ImageSplit {
  /** count × rows × cols bytes, image after image, row-major, 0..255. */
  images: Uint8Array;
  /** One class index per image. */
  labels: Uint8Array;
  count: number;
  rows: number;
  cols: number;
}

/** One image as stored, for display (the GUI's sample grid). */
export interface SampleImage {
  index: number;
  label: number;
  /** rows × cols bytes, a copy, so it can be posted to another thread or window. */
  pixels: Uint8Array;
}

export function sampleImages(split: ImageSplit, indices: readonly number[]): SampleImage[] {
  const size = split.rows * split.cols;
  return indices.map((index) => {
    if (!Number.isInteger(index) || index < 0 || index >= split.count) {
      throw new RangeError(`image index ${index} is outside 0..${split.count - 1}`);
    }
    return {
      index,
      label: split.labels[index],
      pixels: split.images.slice(index * size, (index + 1) * size),
    };
  });
}
