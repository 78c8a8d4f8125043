import { closeSync, linkSync, mkdirSync, readdirSync, renameSync, statSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { LockTimeoutError, ReadOnlyError } from '../errors.js';
import { createExclusive, requireWritableFolder, TEMP_MARKER } from './atomic.js';
import { asOneWrite, holdFile, holdLock, releaseFile, releaseLock, removeQuietly } from './in-flight.js';
import { holderIn, isAlive, isStale, me, readOr, recordOf, type Holder } from './lock-holder.js';
import { pausePoint } from './pause-points.js';

export interface LockOptions {
  waitMs?: number;
}

export function lockPathFor(target: string): string {
  return join(dirname(target), `.${basename(target)}.aws2fa.lock`);
}

// A lock is born complete: the record goes into a private draft (O_EXCL|O_NOFOLLOW: a name planted by someone
// else is never followed) that is then hard-linked into place, so a process killed at any instant never leaves an
// empty lock that nobody can judge.
function tryCreate(lockPath: string): number | undefined {
  const random = Buffer.from(crypto.getRandomValues(new Uint8Array(6))).toString('hex');
  const draft = `${lockPath}.${process.pid}-${random}`;
  holdFile(draft);
  try {
    const fd = createExclusive(draft);
    try {
      writeSync(fd, recordOf(me()));
    } finally {
      closeSync(fd);
    }
    linkSync(draft, lockPath);
    holdFile(lockPath);
    return statSync(lockPath).ino;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return undefined;
    if (code === 'ENOENT') {
      mkdirSync(dirname(lockPath), { recursive: true, mode: 0o700 });
      return undefined;
    }
    if (code === 'EACCES' || code === 'EPERM') {
      throw new ReadOnlyError(`cannot create a lock file in ${dirname(lockPath)}: the folder is not writable`);
    }
    if (code === 'EROFS') throw new ReadOnlyError(`cannot write in ${dirname(lockPath)}: the file system is read-only`);
    if (code === 'ENOSPC' || code === 'EDQUOT') {
      throw new ReadOnlyError(`cannot write in ${dirname(lockPath)}: no space left on the device; nothing was changed`);
    }
    throw error;
  } finally {
    removeQuietly(draft);
    releaseFile(draft);
  }
}

// Removing a stale lock by its path would remove whatever lock is there by then: a breaker that stalled between its
// judgement and the removal would remove the lock another run has taken since, and both would write. So the lock
// is first renamed to a name of this breaker's own (atomic: exactly one breaker gets it) and judged again there;
// a lock that turns out to be someone's new one is linked back where it was, the same file.
function breakStaleLock(lockPath: string, judged: Holder | undefined): void {
  pausePoint('lock-breaking');
  const random = Buffer.from(crypto.getRandomValues(new Uint8Array(6))).toString('hex');
  const aside = `${lockPath}.stale.${process.pid}-${random}`;
  holdFile(aside);
  try {
    renameSync(lockPath, aside);
  } catch {
    releaseFile(aside);
    return; // gone already: another breaker had it
  }
  const moved = holderIn(aside);
  if (moved?.raw !== judged?.raw && !isStale(aside, moved)) {
    try {
      linkSync(aside, lockPath);
    } catch {
      // A third run took the free name meanwhile; the holder moved aside finds out before it writes (lockStillHeld).
    }
  }
  removeQuietly(aside);
  releaseFile(aside);
}

// Files of writers that were killed: temporary files hold secrets, drafts would only be litter. Each name carries
// the pid of its writer; those of live writers stay.
function sweepLeftovers(target: string): void {
  const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const name = escape(basename(target));
  const patterns = [
    new RegExp(`^\\.${name}${escape(TEMP_MARKER)}(\\d+)-[0-9a-f]+\\.tmp$`),
    new RegExp(`^\\.${name}\\.aws2fa\\.lock\\.(?:stale\\.)?(\\d+)-[0-9a-f]+$`),
  ];
  let names: string[];
  try {
    names = readdirSync(dirname(target));
  } catch {
    return;
  }
  for (const entry of names) {
    const pid = patterns.map((pattern) => pattern.exec(entry)?.[1]).find((found) => found !== undefined);
    if (pid !== undefined && !isAlive(Number(pid))) removeQuietly(join(dirname(target), entry));
  }
}

export async function withFileLock<T>(target: string, work: () => Promise<T>, options: LockOptions = {}): Promise<T> {
  const lockPath = lockPathFor(target);
  requireWritableFolder(dirname(lockPath));
  const deadline = Date.now() + (options.waitMs ?? 10_000);
  let pause = 10;
  let inode: number | undefined;
  while ((inode = tryCreate(lockPath)) === undefined) {
    const holder = holderIn(lockPath);
    if (isStale(lockPath, holder)) {
      breakStaleLock(lockPath, holder);
      continue;
    }
    pausePoint('lock-waiting');
    if (Date.now() > deadline) {
      throw new LockTimeoutError(
        `another aws2fa (pid ${holder?.pid || '?'}) is still changing ${target}; wait for it and try again, or remove ${lockPath} if no aws2fa is running`,
      );
    }
    // A plain timer, not node:timers/promises: that would be one more module loaded at every start.
    await new Promise((resolve) => setTimeout(resolve, pause + Math.random() * pause));
    pause = Math.min(pause * 2, 200);
  }
  const held = inode;
  holdLock(target, () => readOr(() => statSync(lockPath).ino) === held);
  try {
    pausePoint('lock-taken');
    return await asOneWrite(async () => {
      sweepLeftovers(target);
      return work();
    });
  } finally {
    releaseLock(target);
    if (readOr(() => statSync(lockPath).ino) === held) removeQuietly(lockPath);
    releaseFile(lockPath);
  }
}
