/**
 * "Try your own image": a PNG or JPEG made into what the network was trained
 * on, Fashion-MNIST's 28×28 white-on-black grey levels: grey, inverted where
 * the background is light, cropped to the object, its longest side scaled to
 * 28 and centred. The file is sniffed before it is decoded, so a huge or
 * fake one is refused without the tab decoding gigabytes. Pure (no DOM): the
 * component decodes, this decides.
 */

export const OWN_IMAGE_SIDE = 28;
/** A photo from a phone is a few MB; anything this large is not an image for this. */
export const OWN_IMAGE_MAX_BYTES = 20 * 1024 * 1024;
/** Decoding 20,000 × 20,000 px would take 1.6 GB of RGBA: refused from the header. */
export const OWN_IMAGE_MAX_PIXELS = 40_000_000;
export const OWN_IMAGE_MAX_SIDE = 10_000;

export class ImageRefusal extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ImageRefusal';
  }
}

const mb = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(bytes < 10 * 1024 * 1024 ? 1 : 0)} MB`;

/** Refuses a file by its size before it is read. */
export function checkFileSize(name: string, bytes: number): void {
  if (bytes === 0) throw new ImageRefusal(`${name} is empty: choose a PNG or JPEG image`);
  if (bytes > OWN_IMAGE_MAX_BYTES) {
    throw new ImageRefusal(`${name} is ${mb(bytes)}; images up to ${mb(OWN_IMAGE_MAX_BYTES)} are taken: save a smaller copy (a photo of one item is plenty)`);
  }
}

/** The format and size a file's first bytes declare (PNG's IHDR, JPEG's SOF marker); refuses anything else. */
export function sniffImage(name: string, head: Uint8Array): { format: 'png' | 'jpeg'; width: number; height: number } {
  const view = new DataView(head.buffer, head.byteOffset, head.byteLength);
  const PNG = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
  let found: { format: 'png' | 'jpeg'; width: number; height: number } | undefined;
  if (head.length >= 24 && PNG.every((b, i) => head[i] === b)) {
    found = { format: 'png', width: view.getUint32(16), height: view.getUint32(20) };
  } else if (head.length >= 4 && head[0] === 0xff && head[1] === 0xd8) {
    // Walk the markers to the first start-of-frame (SOF0..SOF15 but DHT, JPG, DAC), which holds the size.
    let at = 2;
    while (at + 9 < head.length) {
      if (head[at] !== 0xff) break;
      const marker = head[at + 1]!;
      const length = view.getUint16(at + 2);
      if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
        found = { format: 'jpeg', width: view.getUint16(at + 7), height: view.getUint16(at + 5) };
        break;
      }
      at += 2 + length;
    }
    if (!found) throw new ImageRefusal(`${name} starts like a JPEG but its size could not be read: save it again as PNG or JPEG`);
  }
  if (!found) throw new ImageRefusal(`${name} is not a PNG or JPEG image: choose a .png or .jpg file`);
  const { width, height } = found;
  if (width < 1 || height < 1) throw new ImageRefusal(`${name} declares a size of ${width}×${height} px: it is damaged`);
  if (width > OWN_IMAGE_MAX_SIDE || height > OWN_IMAGE_MAX_SIDE || width * height > OWN_IMAGE_MAX_PIXELS) {
    throw new ImageRefusal(
      `${name} is ${width.toLocaleString('en-US')}×${height.toLocaleString('en-US')} px; up to ${OWN_IMAGE_MAX_SIDE.toLocaleString('en-US')} px a side and ${OWN_IMAGE_MAX_PIXELS / 1e6} million px are taken: shrink it first`,
    );
  }
  return found;
}

/**
 * RGBA pixels (as a canvas gives them) to the network's 28 × 28 grey levels:
 * transparent parts count as white paper, a light border means a light
 * background (inverted to white on black, as Fashion-MNIST is), the object's
 * bounding box is scaled so its longer side fills 28 px and centred.
 */
export function toNetworkPixels(rgba: ArrayLike<number>, width: number, height: number): number[] {
  const grey = new Float32Array(width * height);
  for (let i = 0; i < width * height; i++) {
    const alpha = rgba[4 * i + 3]! / 255;
    const luma = 0.299 * rgba[4 * i]! + 0.587 * rgba[4 * i + 1]! + 0.114 * rgba[4 * i + 2]!;
    grey[i] = luma * alpha + 255 * (1 - alpha);
  }
  let border = 0;
  let borderCount = 0;
  for (let x = 0; x < width; x++) {
    border += grey[x]! + grey[(height - 1) * width + x]!;
    borderCount += 2;
  }
  for (let y = 0; y < height; y++) {
    border += grey[y * width]! + grey[y * width + width - 1]!;
    borderCount += 2;
  }
  if (border / borderCount > 127) for (let i = 0; i < grey.length; i++) grey[i] = 255 - grey[i]!;

  // The object: pixels brighter than a tenth of the brightest, after inversion.
  let max = 0;
  for (const v of grey) max = Math.max(max, v);
  const threshold = max / 10;
  let [left, top, right, bottom] = [width, height, -1, -1];
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (grey[y * width + x]! > threshold) {
        left = Math.min(left, x);
        right = Math.max(right, x);
        top = Math.min(top, y);
        bottom = Math.max(bottom, y);
      }
    }
  }
  const out = new Array<number>(OWN_IMAGE_SIDE * OWN_IMAGE_SIDE).fill(0);
  if (right < 0 || max === 0) return out;
  const boxW = right - left + 1;
  const boxH = bottom - top + 1;
  const scale = OWN_IMAGE_SIDE / Math.max(boxW, boxH);
  const outW = Math.max(1, Math.round(boxW * scale));
  const outH = Math.max(1, Math.round(boxH * scale));
  const offX = Math.floor((OWN_IMAGE_SIDE - outW) / 2);
  const offY = Math.floor((OWN_IMAGE_SIDE - outH) / 2);
  // Area average: each output pixel is the mean of the source pixels it covers (exact for whole-number factors).
  for (let oy = 0; oy < outH; oy++) {
    const y0 = top + (oy * boxH) / outH;
    const y1 = top + ((oy + 1) * boxH) / outH;
    for (let ox = 0; ox < outW; ox++) {
      const x0 = left + (ox * boxW) / outW;
      const x1 = left + ((ox + 1) * boxW) / outW;
      let sum = 0;
      let area = 0;
      for (let sy = Math.floor(y0); sy < Math.ceil(y1); sy++) {
        const wy = Math.min(y1, sy + 1) - Math.max(y0, sy);
        for (let sx = Math.floor(x0); sx < Math.ceil(x1); sx++) {
          const w = wy * (Math.min(x1, sx + 1) - Math.max(x0, sx));
          sum += w * grey[sy * width + sx]!;
          area += w;
        }
      }
      out[(offY + oy) * OWN_IMAGE_SIDE + offX + ox] = Math.max(0, Math.min(255, Math.round(sum / area)));
    }
  }
  return out;
}
