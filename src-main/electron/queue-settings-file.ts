import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { safeStorage } from 'electron';
import { z } from 'zod';
import type { QueueSettingsStore, SavedQueue } from '../service/queue-settings';

/** The file as written: the password only as safeStorage's ciphertext (base64), never in clear. */
const fileSchema = z.object({
  url: z.string(),
  passwordEncrypted: z.string().optional(),
  caFile: z.string().optional(),
});

/**
 * The desktop app's queue settings in a JSON file of its user-data folder,
 * the password encrypted with Electron's safeStorage (the system keychain,
 * DPAPI or libsecret). Where the system offers no such key, a password is
 * refused rather than stored in clear.
 */
export function queueSettingsFile(path: string): QueueSettingsStore {
  return {
    load(): SavedQueue | undefined {
      if (!existsSync(path)) return undefined;
      const parsed = fileSchema.safeParse(JSON.parse(readFileSync(path, 'utf8')));
      if (!parsed.success) return undefined;
      const { url, passwordEncrypted, caFile } = parsed.data;
      const password = passwordEncrypted ? safeStorage.decryptString(Buffer.from(passwordEncrypted, 'base64')) : undefined;
      return { url, ...(password ? { password } : {}), ...(caFile ? { caFile } : {}) };
    },
    save(settings: SavedQueue): void {
      if (settings.password && !safeStorage.isEncryptionAvailable()) {
        throw new Error(
          'this system offers the app no key to encrypt the password with (no keyring): start `vgg-workbench serve --queue URL` with VGG_WORKBENCH_QUEUE_PASSWORD instead',
        );
      }
      const file: z.infer<typeof fileSchema> = {
        url: settings.url,
        ...(settings.password ? { passwordEncrypted: safeStorage.encryptString(settings.password).toString('base64') } : {}),
        ...(settings.caFile ? { caFile: settings.caFile } : {}),
      };
      writeFileSync(path, `${JSON.stringify(file, null, 2)}\n`, { mode: 0o600 });
    },
    clear(): void {
      rmSync(path, { force: true });
    },
  };
}
