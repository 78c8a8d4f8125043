import { shortKey } from '../aws/failures.js';
import { printable } from '../printable.js';
import type { IniDocument } from '../store/ini.js';
import type { FolderOptions } from '../store/paths.js';
import { deleteKeyCommand, rotateCommand } from './advice.js';
import { rotationsBeside, type FoundRotation } from './journal.js';
import { longTermKeyId } from './key-file.js';

// What `status` says of rotations that did not finish: from the files and the records alone, no network call.

export interface UnfinishedRotation {
  profile: string;
  state: 'in-progress' | 'old-key-left' | 'new-key-unsaved' | 'interrupted' | 'stale';
  oldKey: string;
  newKey: string | null;
  message: string;
}

function describe(record: FoundRotation, held: string | undefined, folder: FolderOptions, credentials: string): UnfinishedRotation {
  const profile = printable(record.profile);
  const base = { profile: record.profile, oldKey: record.old, newKey: record.new };
  const again = rotateCommand(folder, record.profile);
  if (record.inProgress) return { ...base, state: 'in-progress', message: `aws2fa rotate (pid ${record.pid}) is rotating the key of ${profile} now` };
  if (record.new !== null && held === record.new) {
    return { ...base, state: 'old-key-left', message: `the rotation of ${profile}'s key did not finish: the old key ${shortKey(record.old)} may still be active; run ${again} to delete it` };
  }
  if (held === record.old && record.new !== null) {
    return {
      ...base,
      state: 'new-key-unsaved',
      message: `the rotation of ${profile}'s key did not finish: the new key ${record.new} never reached ${credentials} and cannot be used; delete it with ${deleteKeyCommand(folder, record.profile, record.user, record.new)}`,
    };
  }
  if (held === record.old) {
    return { ...base, state: 'interrupted', message: `the rotation of ${profile}'s key was interrupted around CreateAccessKey: run ${again} to check with IAM (it names any key to delete)` };
  }
  return { ...base, state: 'stale', message: `a rotation record of ${profile} names keys ${credentials} no longer holds: ${again} clears it` };
}

// For every profile (or the ones named) whose rotation record lies beside the credentials file.
export function unfinishedRotations(credentials: string, doc: IniDocument, folder: FolderOptions, only?: string): UnfinishedRotation[] {
  return rotationsBeside(credentials)
    .filter((record) => only === undefined || record.profile === only)
    .map((record) => describe(record, longTermKeyId(doc, record.profile), folder, credentials));
}
