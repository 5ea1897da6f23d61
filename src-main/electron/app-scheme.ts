/**
 * The custom scheme the built renderer is served from (app-protocol.ts),
 * apart from the code that needs Electron so tests can use it under Node.
 */
export const APP_SCHEME = 'app';
export const APP_HOST = 'workbench';
