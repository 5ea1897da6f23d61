import { base64ToBytes } from '../../../src-main/api/pixels';

/**
 * Saves what the app made (an export, a chart picture) the way a web page
 * can: a Blob behind a temporary download link. Works in Electron too.
 */
export function saveBlob(fileName: string, blob: Blob): void {
  const url = URL.createObjectURL(blob);
  saveUrl(fileName, url);
  // The download has started once click() returns; the URL can go a moment later.
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** A same-origin URL (a blob, or a file the server streams) into the downloads, under `fileName`. */
export function saveUrl(fileName: string, url: string): void {
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  link.rel = 'noopener';
  document.body.append(link);
  link.click();
  link.remove();
}

export function saveText(fileName: string, mimeType: string, content: string): void {
  saveBlob(fileName, new Blob([content], { type: mimeType }));
}

/**
 * A base64 `data:` URL (ECharts' getDataURL) as a file. Decoded here rather
 * than fetched: the page's CSP (connect-src 'self') forbids fetching data: URLs.
 */
export function saveDataUrl(fileName: string, dataUrl: string): void {
  const match = /^data:([^;,]+);base64,(.*)$/.exec(dataUrl);
  if (!match) throw new Error('the chart did not export as a base64 data URL');
  const bytes = base64ToBytes(match[2] ?? '');
  saveBlob(fileName, new Blob([bytes.buffer as ArrayBuffer], { type: match[1] }));
}
