import { link, mkdir, readdir, readFile, stat, unlink, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { LockTimeoutError, ReadOnlyError } from '../errors.js';
import { TEMP_MARKER } from './atomic.js';

export interface LockOptions {
  waitMs?: number;
}

const STALE_AFTER_MS = 120_000;

export function lockPathFor(target: string): string {
  return join(dirname(target), `.${basename(target)}.aws2fa.lock`);
}

function isAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function pidIn(path: string): Promise<number | undefined> {
  try {
    return Number.parseInt(await readFile(path, 'utf8'), 10);
  } catch {
    return undefined;
  }
}

// A lock left by a process that died (SIGKILL, power loss) is taken over; a live holder is waited for.
async function isStale(lockPath: string): Promise<boolean> {
  const pid = await pidIn(lockPath);
  if (pid !== undefined && !Number.isNaN(pid) && !isAlive(pid)) return true;
  try {
    return Date.now() - (await stat(lockPath)).mtimeMs > STALE_AFTER_MS;
  } catch {
    return false;
  }
}

// The lock is born complete: its pid is written to a private file first and then hard-linked into place,
// so a process killed at any instant never leaves an empty lock that nobody can judge stale.
async function tryCreate(lockPath: string): Promise<boolean> {
  const draft = `${lockPath}.${process.pid}`;
  try {
    await writeFile(draft, `${process.pid}\n`, { mode: 0o600 });
    await link(draft, lockPath);
    return true;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return false;
    if (code === 'ENOENT') {
      await mkdir(dirname(lockPath), { recursive: true, mode: 0o700 });
      return false;
    }
    if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') {
      throw new ReadOnlyError(`cannot create a lock file in ${dirname(lockPath)}: the folder is not writable`);
    }
    throw error;
  } finally {
    await unlink(draft).catch(() => undefined);
  }
}

// Temp files of writers that were killed hold secrets: remove them once nobody can still be renaming them.
async function sweepStaleTemps(target: string): Promise<void> {
  const prefix = `.${basename(target)}${TEMP_MARKER}`;
  let names: string[];
  try {
    names = await readdir(dirname(target));
  } catch {
    return;
  }
  for (const name of names) {
    const lockDraft = name.startsWith(`.${basename(target)}.aws2fa.lock.`);
    if (!lockDraft && (!name.startsWith(prefix) || !name.endsWith('.tmp'))) continue;
    const pid = Number.parseInt(lockDraft ? name.slice(name.lastIndexOf('.') + 1) : name.slice(prefix.length), 10);
    if (!isAlive(pid)) await unlink(join(dirname(target), name)).catch(() => undefined);
  }
}

export async function withFileLock<T>(target: string, work: () => Promise<T>, options: LockOptions = {}): Promise<T> {
  const lockPath = lockPathFor(target);
  const deadline = Date.now() + (options.waitMs ?? 10_000);
  let pause = 10;
  while (!(await tryCreate(lockPath))) {
    if (await isStale(lockPath)) {
      const stalePid = await pidIn(lockPath);
      // Re-check right before removing, so a lock that was just taken over by someone else survives.
      if ((await pidIn(lockPath)) === stalePid) await unlink(lockPath).catch(() => undefined);
      continue;
    }
    if (Date.now() > deadline) {
      const holder = await pidIn(lockPath);
      throw new LockTimeoutError(
        `another aws2fa (pid ${holder ?? '?'}) is still changing ${target}; wait for it and try again, or remove ${lockPath} if no aws2fa is running`,
      );
    }
    await sleep(pause + Math.random() * pause);
    pause = Math.min(pause * 2, 200);
  }
  try {
    await sweepStaleTemps(target);
    return await work();
  } finally {
    await unlink(lockPath).catch(() => undefined);
  }
}
