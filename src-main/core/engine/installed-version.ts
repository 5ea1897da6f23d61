import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

/** The version in the package's package.json, or undefined when it is not installed. */
export function installedVersion(packageName: string): string | undefined {
  try {
    const path = createRequire(import.meta.url).resolve(`${packageName}/package.json`);
    const { version } = JSON.parse(readFileSync(path, 'utf8')) as { version?: unknown };
    return typeof version === 'string' ? version : undefined;
  } catch {
    return undefined;
  }
}
