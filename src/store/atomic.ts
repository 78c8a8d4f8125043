import { randomBytes } from 'node:crypto';
import { lstat, mkdir, open, readlink, realpath, rename, stat, unlink } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { ReadOnlyError, UnreadableFileError } from '../errors.js';

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

export function tempPathFor(target: string): string {
  return join(dirname(target), `.${basename(target)}${TEMP_MARKER}${process.pid}-${randomBytes(6).toString('hex')}.tmp`);
}

// The mode bits decide, not access(2): root may write anything, but a file or folder the user made read-only
// stays read-only for us too, as a rename would otherwise replace it behind its permissions.
async function checkWritable(target: string): Promise<{ mode: number; uid: number; gid: number } | undefined> {
  const folder = dirname(target);
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
  try {
    const folderInfo = await stat(folder);
    if ((folderInfo.mode & 0o222) === 0) {
      throw new ReadOnlyError(`the folder ${folder} is read-only: make it writable (chmod u+w) and run again`);
    }
  } catch (error) {
    if (error instanceof ReadOnlyError) throw error;
    await mkdir(folder, { recursive: true, mode: 0o700 });
  }
  return existing ? { mode: existing.mode & 0o7777, uid: existing.uid, gid: existing.gid } : undefined;
}

export async function writeFileAtomic(path: string, content: string): Promise<WriteResult> {
  const target = await resolveTarget(path);
  const existing = await checkWritable(target);
  const mode = existing?.mode ?? 0o600;
  const temp = tempPathFor(target);
  try {
    const handle = await open(temp, 'wx', 0o600);
    try {
      await handle.writeFile(content, 'utf8');
      await handle.chmod(mode);
      if (existing && (existing.uid !== process.getuid?.() || existing.gid !== process.getgid?.())) {
        // Running as root on someone else's file: the replacement must stay theirs.
        await handle.chown(existing.uid, existing.gid).catch(() => undefined);
      }
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, target);
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    throw mapWriteError(error, target);
  }
  await syncFolder(dirname(target));
  return { target, widerThanPrivate: (mode & 0o077) !== 0 };
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
  if (code === 'ENOSPC') return new ReadOnlyError(`cannot write ${target}: no space left on the device; nothing was changed`);
  return error;
}
