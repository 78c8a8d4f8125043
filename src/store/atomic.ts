import { lstat, mkdir, open, readlink, realpath, rename, stat, unlink, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { ReadOnlyError, UnreadableFileError } from '../errors.js';
import { holdFile, noteWritten, releaseFile } from './in-flight.js';

export interface WriteResult {
  target: string;
  widerThanPrivate: boolean; // the existing mode lets others read the file: worth a warning
}

// Where the bytes really live: a symlinked credentials file stays a symlink and its target is updated.
export async function resolveTarget(path: string): Promise<string> {
  try {
    return await realpath(path);
  } catch {
    try {
      const info = await lstat(path);
      if (info.isSymbolicLink()) return resolve(dirname(path), await readlink(path));
    } catch {
      // does not exist yet
    }
    return path;
  }
}

export const TEMP_MARKER = '.aws2fa-';

// Web Crypto's global, not node:crypto: a static import of that would load it at every start, writing or not.
export function tempPathFor(target: string): string {
  const random = Buffer.from(crypto.getRandomValues(new Uint8Array(6))).toString('hex');
  return join(dirname(target), `.${basename(target)}${TEMP_MARKER}${process.pid}-${random}.tmp`);
}

// The mode bits decide, not access(2): root may write anything, but a file or folder the user made read-only
// stays read-only for us too, as a rename would otherwise replace it behind its permissions.
export async function requireWritableFolder(folder: string): Promise<void> {
  let info;
  try {
    info = await stat(folder);
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

async function checkWritable(target: string): Promise<Existing | undefined> {
  let existing;
  try {
    existing = await stat(target);
  } catch {
    existing = undefined;
  }
  if (existing && !existing.isFile()) throw new UnreadableFileError(`${target} is not a regular file`);
  if (existing && (existing.mode & 0o222) === 0) {
    throw new ReadOnlyError(`${target} is read-only: make it writable (chmod u+w) and run again`);
  }
  await requireWritableFolder(dirname(target));
  await mkdir(dirname(target), { recursive: true, mode: 0o700 });
  return existing ? { mode: existing.mode & 0o7777, uid: existing.uid, gid: existing.gid } : undefined;
}

// The replacement gets the old file's owner back (root writing someone's file, as with sudo). Where that is not
// allowed, writing would silently hand the file to us: refuse instead, before anything is replaced.
async function keepOwner(handle: FileHandle, target: string, existing: Existing | undefined, me: Owner): Promise<void> {
  if (!existing || (existing.uid === me.uid && existing.gid === me.gid)) return;
  try {
    await handle.chown(existing.uid, existing.gid);
  } catch {
    throw new ReadOnlyError(
      `${target} belongs to uid ${existing.uid} gid ${existing.gid}: aws2fa cannot replace it without changing its owner; run aws2fa as its owner`,
    );
  }
}

export async function writeFileAtomic(path: string, content: string): Promise<WriteResult> {
  const target = await resolveTarget(path);
  const existing = await checkWritable(target);
  const mode = existing?.mode ?? 0o600;
  const temp = tempPathFor(target);
  const me = currentOwner();
  holdFile(temp);
  try {
    const handle = await open(temp, 'wx', 0o600);
    try {
      if (me) await keepOwner(handle, target, existing, me);
      await handle.writeFile(content, 'utf8');
      await handle.chmod(mode);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, target);
    noteWritten(target);
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    throw mapWriteError(error, target);
  } finally {
    releaseFile(temp);
  }
  await syncFolder(dirname(target));
  return { target, widerThanPrivate: (mode & 0o077) !== 0 };
}

// undefined where there are no uids (Windows).
function currentOwner(): Owner | undefined {
  return process.getuid && process.getgid ? { uid: process.getuid(), gid: process.getgid() } : undefined;
}

async function syncFolder(folder: string): Promise<void> {
  try {
    const handle = await open(folder, 'r');
    await handle.sync().finally(() => handle.close());
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
