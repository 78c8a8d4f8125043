import { UserError } from '../errors.js';
import { resolveTarget, writeFileAtomic, type WriteResult } from '../store/atomic.js';
import { backupSectionFor, holdsSession, keysIn, type AccessKeys } from '../store/credentials.js';
import { setOption } from '../store/edit.js';
import { findSection, joinLines, type IniDocument } from '../store/ini.js';
import { withFileLock } from '../store/lock.js';
import { loadIniFile } from '../store/read.js';

// Where a profile's long-term key lives: [PROFILE], or its backup while a file-mode session is in [PROFILE].
export function longTermSection(doc: IniDocument, profile: string): string | undefined {
  const own = findSection(doc, profile);
  if (own && !holdsSession(own) && keysIn(own)) return profile;
  return keysIn(findSection(doc, backupSectionFor(profile))) ? backupSectionFor(profile) : undefined;
}

// The long-term key id the files hold for a profile, without judging anything else: for `status`.
export function longTermKeyId(doc: IniDocument, profile: string): string | undefined {
  const section = longTermSection(doc, profile);
  return section === undefined ? undefined : keysIn(findSection(doc, section))?.accessKeyId;
}

export class KeyMovedError extends UserError {}

// Replaces the key `from` with `to` where it lives now (a login or logout may have moved it since the run read the
// file), under the lock, from a fresh read: only those two values change, every other byte stays. `before` runs
// under the same lock, right before the write (the rotation record is updated there).
export async function replaceKey(path: string, profile: string, from: string, to: AccessKeys, before: () => void = () => undefined): Promise<WriteResult & { section: string }> {
  return withFileLock(resolveTarget(path), async () => {
    const fresh = loadIniFile(path);
    const section = longTermSection(fresh.doc, profile);
    const held = section === undefined ? undefined : keysIn(findSection(fresh.doc, section))?.accessKeyId;
    if (section === undefined || held !== from) {
      throw new KeyMovedError(`the long-term key of ${profile} in ${path} changed while rotate ran (it is no longer ${from}); nothing was written there`);
    }
    before();
    const edited = setOption(setOption(fresh.doc, section, 'aws_access_key_id', to.accessKeyId), section, 'aws_secret_access_key', to.secretAccessKey);
    return { ...writeFileAtomic(path, joinLines(edited)), section };
  });
}
