import { shell, type WebContents } from 'electron';

/** Only web links leave the app, in the system browser; file:, javascript: and the like go nowhere. */
export function openExternally(url: string): void {
  let protocol: string;
  try {
    protocol = new URL(url).protocol;
  } catch {
    return;
  }
  if (protocol === 'http:' || protocol === 'https:') void shell.openExternal(url);
}

/**
 * Every web contents stays on our renderer: navigation elsewhere and new
 * windows are denied (web links open in the system browser instead), and
 * <webview> tags are refused. Applied to every contents the app creates.
 */
export function guardWebContents(contents: WebContents, isOurs: (url: string) => boolean): void {
  const stayHome = (event: { preventDefault(): void }, url: string): void => {
    if (isOurs(url)) return;
    event.preventDefault();
    openExternally(url);
  };
  contents.on('will-navigate', (event) => stayHome(event, event.url));
  contents.on('will-redirect', (event) => stayHome(event, event.url));
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(({ url }) => {
    openExternally(url);
    return { action: 'deny' };
  });
}
