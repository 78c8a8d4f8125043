import { accessSync, closeSync, constants, fchmodSync, fchownSync, fsyncSync, lstatSync, mkdirSync, openSync, readlinkSync, realpathSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { LockLostError, ReadOnlyError, UnreadableFileError } from '../errors.js';
import { holdFile, lockStillHeld, noteWritten, releaseFile, removeQuietly } from './in-flight.js';
import { pausePoint } from './pause-points.js';

export interface WriteResult {
  target: string;
  widerThanPrivate: boolean; // the existing mode lets others read the file: worth a warning
}

// Where the bytes really live: a symlinked credentials file stays a symlink and its target is updated.
export function resolveTarget(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    try {
      const info = lstatSync(path);
      if (info.isSymbolicLink()) return resolve(dirname(path), readlinkSync(path));
    } catch {
      // does not exist yet
    }
    return path;
  }
}

export const TEMP_MARKER = '.aws2fa-';

// Every file aws2fa creates: a new name only (O_EXCL), and never through a symlink someone planted (O_NOFOLLOW).
export function createExclusive(path: string): number {
  return openSync(path, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | (constants.O_NOFOLLOW ?? 0), 0o600);
}

// Web Crypto's global, not node:crypto: a static import of that would load it at every start, writing or not.
export function tempPathFor(target: string): string {
  const random = Buffer.from(crypto.getRandomValues(new Uint8Array(6))).toString('hex');
  return join(dirname(target), `.${basename(target)}${TEMP_MARKER}${process.pid}-${random}.tmp`);
}

// The mode bits decide, not access(2): root may write anything, but a file or folder the user made read-only
// stays read-only for us too, as a rename would otherwise replace it behind its permissions.
export function requireWritableFolder(folder: string): void {
  let info;
  try {
    info = statSync(folder);
  } catch {
    return; // created (0700) when the lock or the file is written
  }
  if (!info.isDirectory()) throw new UnreadableFileError(`${folder} is not a folder`);
  if ((info.mode & 0o222) === 0) {
    throw new ReadOnlyError(`the folder ${folder} is read-only: make it writable (chmod u+w) and run again`);
  }
}

interface Owner {
  uid: number;
  gid: number;
}

interface Existing extends Owner {
  mode: number;
}

// access(2) for what the mode bits do not show: a read-only mount (EROFS even for root), and for an ordinary user
// the kernel's own answer.
function requireAccess(path: string, kind: 'file' | 'folder'): void {
  try {
    accessSync(path, constants.W_OK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EROFS') throw new ReadOnlyError(`cannot write ${kind === 'file' ? path : `in ${path}`}: the file system is read-only`);
    if (code !== 'EACCES' && code !== 'EPERM') return;
    throw new ReadOnlyError(
      kind === 'file'
        ? `cannot write ${path}: permission denied (check its owner and mode)`
        : `cannot create files in ${path}: the folder is not writable (check its owner and mode)`,
    );
  }
}

function existingFile(target: string): Existing | undefined {
  let existing;
  try {
    existing = statSync(target);
  } catch {
    return undefined;
  }
  if (!existing.isFile()) throw new UnreadableFileError(`${target} is not a regular file`);
  if ((existing.mode & 0o222) === 0) throw new ReadOnlyError(`${target} is read-only: make it writable (chmod u+w) and run again`);
  // A rename puts a new file in place of one name of the old one: the other names would keep the old bytes.
  if (existing.nlink > 1) {
    throw new ReadOnlyError(
      `${target} has ${existing.nlink} hard links: aws2fa replaces the file as a whole, which would split them; ` +
        `make the other names symlinks (ln -sf ${target} OTHER) and run again`,
    );
  }
  return { mode: existing.mode & 0o7777, uid: existing.uid, gid: existing.gid };
}

// Everything a write will need, checked before anything is spent on it (the MFA code, a request to AWS): the file
// and its folder writable, and its owner one we can keep.
export function assertWritable(path: string): void {
  const target = resolveTarget(path);
  const existing = existingFile(target);
  requireWritableFolder(dirname(target));
  if (existing) requireAccess(target, 'file');
  if (existsFolder(dirname(target))) requireAccess(dirname(target), 'folder');
  const me = currentOwner();
  if (existing && me && me.uid !== 0 && !canKeepOwner(existing, me)) throw ownerError(target, existing);
}

function existsFolder(folder: string): boolean {
  try {
    return statSync(folder).isDirectory();
  } catch {
    return false;
  }
}

// What fchown(2) allows an ordinary user: its own uid, and a group it is a member of.
function canKeepOwner(existing: Owner, me: Owner): boolean {
  if (existing.uid !== me.uid) return false;
  return existing.gid === me.gid || (process.getgroups?.() ?? []).includes(existing.gid);
}

function ownerError(target: string, existing: Owner): ReadOnlyError {
  return new ReadOnlyError(
    `${target} belongs to uid ${existing.uid} gid ${existing.gid}: aws2fa cannot replace it without changing its owner; run aws2fa as its owner`,
  );
}

function checkWritable(target: string): Existing | undefined {
  const existing = existingFile(target);
  requireWritableFolder(dirname(target));
  mkdirSync(dirname(target), { recursive: true, mode: 0o700 });
  return existing;
}

// The replacement gets the old file's owner back (root writing someone's file, as with sudo). Where that is not
// allowed, writing would silently hand the file to us: refuse instead, before anything is replaced.
function keepOwner(fd: number, target: string, existing: Existing | undefined, me: Owner): void {
  if (!existing || (existing.uid === me.uid && existing.gid === me.gid)) return;
  try {
    fchownSync(fd, existing.uid, existing.gid);
  } catch {
    throw ownerError(target, existing);
  }
}

// Synchronous, like every file operation of the store: a write is a handful of system calls that nothing else
// waits on, and node:fs/promises would cost a module load at every start and a thread-pool round trip per call.
export function writeFileAtomic(path: string, content: string): WriteResult {
  const target = resolveTarget(path);
  const existing = checkWritable(target);
  const mode = existing?.mode ?? 0o600;
  const temp = tempPathFor(target);
  const me = currentOwner();
  holdFile(temp);
  try {
    const fd = createExclusive(temp);
    try {
      if (me) keepOwner(fd, target, existing, me);
      writeFileSync(fd, content, 'utf8');
      fchmodSync(fd, mode);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    pausePoint('before-rename');
    if (lockStillHeld(target) === false) {
      throw new LockLostError(`another aws2fa took over the lock of ${target} while this run held it; nothing was written: run again`);
    }
    pausePoint('lock-checked');
    renameSync(temp, target);
    noteWritten(target);
  } catch (error) {
    removeQuietly(temp);
    throw mapWriteError(error, target);
  } finally {
    releaseFile(temp);
  }
  syncFolder(dirname(target));
  return { target, widerThanPrivate: (mode & 0o077) !== 0 };
}

// undefined where there are no uids (Windows).
function currentOwner(): Owner | undefined {
  return process.getuid && process.getgid ? { uid: process.getuid(), gid: process.getgid() } : undefined;
}

function syncFolder(folder: string): void {
  try {
    const fd = openSync(folder, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    // not every file system can fsync a folder; the rename itself is still atomic
  }
}

function mapWriteError(error: unknown, target: string): unknown {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'EACCES' || code === 'EPERM') {
    return new ReadOnlyError(`cannot write ${target}: permission denied (check the owner and mode of the file and its folder)`);
  }
  if (code === 'EROFS') return new ReadOnlyError(`cannot write ${target}: the file system is read-only`);
  if (code === 'ENOSPC' || code === 'EDQUOT') return new ReadOnlyError(`cannot write ${target}: no space left on the device; nothing was changed`);
  return error;
}
