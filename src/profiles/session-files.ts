import { isAbsolute } from 'node:path';
import { FILES_VARIABLE } from '../shell/index.js';
import { resolveAwsFiles, type AwsFiles } from '../store/paths.js';

// The files an env session was made from, when they are not the standard ones (--name, --directory,
// AWS_SHARED_CREDENTIALS_FILE, AWS_CONFIG_FILE): env login exports them as AWS2FA_FILES, so that the renewal the
// hook runs at the prompt (`env login --renew -- PROFILE`, nothing else) reads the same files. Not secret: two
// paths, as JSON with everything outside printable ASCII escaped, so the value holds no control character.
export const SESSION_FILES_VARIABLE = FILES_VARIABLE;

export function encodeSessionFiles(files: AwsFiles, home: string): string | undefined {
  const standard = resolveAwsFiles({}, {}, home);
  if (files.credentials === standard.credentials && files.config === standard.config) return undefined;
  return JSON.stringify({ credentials: files.credentials, config: files.config }).replace(
    /[^\x20-\x7e]/g,
    (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, `0`)}`,
  );
}

// Anything but what encodeSessionFiles wrote is no files at all.
export function decodeSessionFiles(text: string | undefined): AwsFiles | undefined {
  if (!text || text.length > 16_384) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== `object` || value === null) return undefined;
  const { credentials, config } = value as Record<string, unknown>;
  const usable = (path: unknown): path is string => typeof path === `string` && isAbsolute(path) && !path.includes(`\0`);
  return usable(credentials) && usable(config) ? { credentials, config } : undefined;
}
