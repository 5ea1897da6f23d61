import { BrowserWindow, ipcMain, type WebFrameMain } from 'electron';
import { ApiError } from '../api/api-error';
import { CALL_CHANNEL, EVENT_CHANNEL } from '../api/electron-bridge';
import type { ServiceEndpoint } from '../service/service-endpoint';

/**
 * The service over Electron IPC: one invoke channel for calls, one channel
 * for events. A call is served only when it comes from the top frame of our
 * renderer (senderFrame), whatever else a compromised page might embed;
 * the service then validates the message itself. Returns the unwiring.
 */
export function serveApiOverIpc(service: ServiceEndpoint, isOurs: (url: string) => boolean): () => void {
  const trusted = (frame: WebFrameMain | null | undefined): boolean =>
    frame !== null && frame !== undefined && frame.parent === null && isOurs(frame.url);

  ipcMain.handle(CALL_CHANNEL, (event, method: unknown, request: unknown) => {
    if (!trusted(event.senderFrame)) {
      const refusal = new ApiError('forbidden', 'calls are accepted from the workbench window only');
      return { ok: false, error: refusal.toBody() };
    }
    return service.dispatch(method, request);
  });

  const unsubscribe = service.subscribe((event) => {
    for (const window of BrowserWindow.getAllWindows()) {
      const contents = window.webContents;
      if (!window.isDestroyed() && !contents.isDestroyed() && trusted(contents.mainFrame)) {
        contents.send(EVENT_CHANNEL, event);
      }
    }
  });

  return () => {
    ipcMain.removeHandler(CALL_CHANNEL);
    unsubscribe();
  };
}
