import { closeSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createExclusive } from '../store/atomic.js';

export interface ScratchCredentials {
  /** an empty credentials file: the command's AWS_SHARED_CREDENTIALS_FILE */
  path: string;
  remove(): void;
}

// Every SDK reads [default] of the shared credentials file before container credentials, and aws2fa's users keep
// long-term keys there: the command is given an empty file instead, so that the served session is the one used.
// A folder of our own (mkdtemp: new, 0700, a name nobody could guess) and the file made with O_EXCL|O_NOFOLLOW,
// 0600: nothing another user planted is read or followed.
export function makeScratchCredentials(env: Record<string, string | undefined>): ScratchCredentials {
  const folder = mkdtempSync(join(env.TMPDIR || tmpdir(), `aws2fa-server-`));
  const path = join(folder, `credentials`);
  try {
    closeSync(createExclusive(path));
  } catch (error) {
    rmSync(folder, { recursive: true, force: true });
    throw error;
  }
  return { path, remove: () => rmSync(folder, { recursive: true, force: true }) };
}
