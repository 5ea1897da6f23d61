import { base64ToBytes } from '../../../src-main/api/pixels';
import type { WireImage } from '../../../src-main/api/entities';

/**
 * Draws one of the API's grayscale images (base64 bytes, 0 = black) into a
 * canvas at its own resolution; CSS scales it up with crisp pixels.
 * Fashion-MNIST is white-on-black; `invert` shows it as ink on paper.
 */
export function drawGrayscale(canvas: HTMLCanvasElement, image: WireImage, invert = false): void {
  const bytes = base64ToBytes(image.pixels);
  canvas.width = image.cols;
  canvas.height = image.rows;
  const context = canvas.getContext('2d');
  if (!context) return;
  const data = context.createImageData(image.cols, image.rows);
  for (let i = 0; i < bytes.length; i++) {
    const value = invert ? 255 - (bytes[i] ?? 0) : (bytes[i] ?? 0);
    data.data[i * 4] = value;
    data.data[i * 4 + 1] = value;
    data.data[i * 4 + 2] = value;
    data.data[i * 4 + 3] = 255;
  }
  context.putImageData(data, 0, 0);
}
