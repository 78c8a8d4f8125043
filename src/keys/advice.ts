import { shortKey } from '../aws/failures.js';
import { printable } from '../printable.js';
import { quote } from '../shell/posix.js';
import type { FolderOptions } from '../store/paths.js';
import { rfc3339 } from '../time.js';
import type { AccessKeyInfo } from '../aws/iam.js';

// What users are told to type: an IAM call that needs the MFA session too, so it runs under `aws2fa exec`.

function word(text: string): string {
  return /^[\w./@+:=,-]+$/.test(text) ? text : quote(text);
}

// `--name acme` / `--directory DIR`: the command must use the same files (AWS_SHARED_CREDENTIALS_FILE is in the
// environment already).
function folderWords(folder: FolderOptions): string {
  if (folder.name !== undefined) return ` --name ${word(folder.name)}`;
  if (folder.directory !== undefined) return ` --directory ${word(folder.directory)}`;
  return '';
}

export function deleteKeyCommand(folder: FolderOptions, profile: string, user: string, accessKeyId: string): string {
  return `aws2fa exec${folderWords(folder)} ${word(printable(profile))} -- aws iam delete-access-key --user-name ${word(user)} --access-key-id ${accessKeyId}`;
}

export function rotateCommand(folder: FolderOptions, profile: string): string {
  return `aws2fa rotate${folderWords(folder)} ${word(printable(profile))}`;
}

// `AKIAEXAMPLEEXAMPLE01 (Active, created 2025-01-15T10:00:00Z)`
export function describeKey(key: AccessKeyInfo): string {
  return `${key.accessKeyId} (${key.status}, created ${key.created ? rfc3339(key.created) : 'at an unknown time'})`;
}

// `rotated alice's key AKIA…OLD → AKIA…NEW`
export function rotatedLine(user: string, from: string, to: string): string {
  return `rotated ${user}'s key ${shortKey(from)} → ${shortKey(to)}`;
}
