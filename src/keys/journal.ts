import { closeSync, constants, fstatSync, openSync, readdirSync, readSync, renameSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { UserError } from '../errors.js';
import { createExclusive, resolveTarget, tempPathFor } from '../store/atomic.js';
import { holdFile, releaseFile, removeQuietly } from '../store/in-flight.js';
import { holderIn, isStale, me, recordOf } from '../store/lock-holder.js';

// The record of a rotation under way: which key the files held before (old), which one IAM handed out (new, once
// known) and whose key it is. It lives beside the credentials file, one per profile, from before CreateAccessKey
// until the old key is deleted, so that a run killed at any step leaves behind exactly what the next `rotate`
// (to finish) and `status` (to say so, without a network call) need: key ids and a user name, never a secret.
// A file of its own rather than a note in the credentials file: the backup section must hold only the two keys
// (login and logout refuse anything else there), and the record must not change what the AWS CLI reads.
//
// Line 1 is the writer, as a lock records its holder (pid, start time, boot, PID namespace): a record whose writer
// is alive is a rotation in progress, not an unfinished one. Line 2 is the record, as JSON.

export interface Rotation {
  profile: string;
  user: string;
  old: string;
  new: string | null;
  started: string; // RFC 3339
}

export interface FoundRotation extends Rotation {
  path: string;
  inProgress: boolean;
  pid: number;
}

const MARKER = '.aws2fa-rotation-';
const MAX_BYTES = 4096;
const KEY_ID = /^AKIA[A-Z0-9]{16}$/;
const USER_NAME = /^[\w+=,.@-]{1,64}$/;

export class RotationBusyError extends UserError {}

// FNV-1a of the profile's UTF-8 bytes: a name of any length and any character gives a short, plain file name
// (the record itself names the profile). No node:crypto: status reads these and must not load it.
function profileHash(profile: string): string {
  let hash = 0x811c9dc5;
  for (const byte of Buffer.from(profile, 'utf8')) hash = Math.imul(hash ^ byte, 0x01000193) >>> 0;
  return `${hash.toString(16).padStart(8, '0')}${profile.length.toString(16)}`;
}

function prefixFor(credentials: string): { folder: string; prefix: string } {
  const target = resolveTarget(credentials);
  return { folder: dirname(target), prefix: `.${basename(target)}${MARKER}` };
}

export function journalPathFor(credentials: string, profile: string): string {
  const { folder, prefix } = prefixFor(credentials);
  return join(folder, `${prefix}${profileHash(profile)}`);
}

function isRecord(value: unknown): value is Rotation {
  if (typeof value !== 'object' || value === null) return false;
  const record = value as Record<string, unknown>;
  return (
    typeof record.profile === 'string' &&
    typeof record.user === 'string' &&
    USER_NAME.test(record.user) &&
    typeof record.old === 'string' &&
    KEY_ID.test(record.old) &&
    (record.new === null || (typeof record.new === 'string' && KEY_ID.test(record.new))) &&
    typeof record.started === 'string' &&
    !Number.isNaN(new Date(record.started).getTime())
  );
}

// Read through O_NOFOLLOW and used only when it is a regular file of this user, with one link and no group or other
// write bit: a record someone else could have planted might name a key of the user's for deletion.
function readTrusted(path: string): string | undefined {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0));
  } catch {
    return undefined;
  }
  try {
    const info = fstatSync(fd);
    const mine = process.getuid === undefined || info.uid === process.getuid();
    if (!info.isFile() || !mine || info.nlink !== 1 || (info.mode & 0o022) !== 0 || info.size > MAX_BYTES) return undefined;
    const buffer = Buffer.alloc(MAX_BYTES + 1);
    const count = readSync(fd, buffer, 0, buffer.length, 0);
    return count > MAX_BYTES ? undefined : buffer.subarray(0, count).toString('utf8');
  } finally {
    closeSync(fd);
  }
}

function parse(path: string, text: string): FoundRotation | undefined {
  const [, json] = text.split('\n');
  let value: unknown;
  try {
    value = JSON.parse(json ?? '');
  } catch {
    return undefined;
  }
  if (!isRecord(value)) return undefined;
  const holder = holderIn(path);
  return { ...value, path, pid: holder?.pid ?? 0, inProgress: !isStale(path, holder) };
}

export function readRotation(credentials: string, profile: string): FoundRotation | undefined {
  const path = journalPathFor(credentials, profile);
  const text = readTrusted(path);
  const found = text === undefined ? undefined : parse(path, text);
  return found?.profile === profile ? found : undefined;
}

// Every record beside a credentials file: one readdir, for `status`.
export function rotationsBeside(credentials: string): FoundRotation[] {
  const { folder, prefix } = prefixFor(credentials);
  let names: string[];
  try {
    names = readdirSync(folder);
  } catch {
    return [];
  }
  return names
    .filter((name) => name.startsWith(prefix))
    .flatMap((name) => {
      const path = join(folder, name);
      const text = readTrusted(path);
      const found = text === undefined ? undefined : parse(path, text);
      return found && journalPathFor(credentials, found.profile) === path ? [found] : [];
    });
}

function contentOf(rotation: Rotation): string {
  return `${recordOf(me())}${JSON.stringify(rotation)}\n`;
}

function writeFd(fd: number, text: string): void {
  try {
    writeSync(fd, text);
  } finally {
    closeSync(fd);
  }
}

// A new record: O_EXCL, so that of two runs only one starts a rotation; a record already there is answered by the
// caller (in progress, or unfinished).
export function startRotation(credentials: string, rotation: Rotation): 'started' | 'exists' {
  const path = journalPathFor(credentials, rotation.profile);
  let fd: number;
  try {
    fd = createExclusive(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return 'exists';
    throw new UserError(`cannot write the rotation record ${path}: ${(error as Error).message}; nothing was changed`);
  }
  holdFile(path);
  try {
    writeFd(fd, contentOf(rotation));
  } catch (error) {
    removeQuietly(path);
    throw error;
  } finally {
    releaseFile(path);
  }
  return 'started';
}

// Replaced whole (a new file, then a rename): a kill leaves the old record or the new one.
export function updateRotation(credentials: string, rotation: Rotation): void {
  const path = journalPathFor(credentials, rotation.profile);
  const temp = tempPathFor(path);
  holdFile(temp);
  try {
    writeFd(createExclusive(temp), contentOf(rotation));
    renameSync(temp, path);
  } catch (error) {
    removeQuietly(temp);
    throw error;
  } finally {
    releaseFile(temp);
  }
}

export function endRotation(credentials: string, profile: string): void {
  removeQuietly(journalPathFor(credentials, profile));
}
