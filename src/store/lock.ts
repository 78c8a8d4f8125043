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
// empty lock that nobody can judge. The draft stays, a second name of the same file, for as long as the lock is
// held: the holder's own claim, named in the record, by which a breaker takes over its lock once it is gone.
interface HeldLock {
  inode: number;
  claim: string;
}

function tryCreate(lockPath: string): HeldLock | undefined {
  const random = Buffer.from(crypto.getRandomValues(new Uint8Array(6))).toString('hex');
  const name = `${process.pid}-${random}`;
  const draft = `${lockPath}.${name}`;
  holdFile(draft);
  let linked = false;
  try {
    const fd = createExclusive(draft);
    try {
      writeSync(fd, recordOf(me(), name));
    } finally {
      closeSync(fd);
    }
    linkSync(draft, lockPath);
    holdFile(lockPath);
    linked = true;
    return { inode: statSync(lockPath).ino, claim: draft };
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
    if (!linked) {
      removeQuietly(draft);
      releaseFile(draft);
    }
  }
}

function asideName(lockPath: string): string {
  const random = Buffer.from(crypto.getRandomValues(new Uint8Array(6))).toString('hex');
  return `${lockPath}.stale.${process.pid}-${random}`;
}

// A lock judged stale is taken over by renaming its holder's claim to a name of this breaker's own: atomic, so
// exactly one breaker gets it, and only that holder's lock can be affected, never one a live run has taken since
// (a breaker that stalled between its judgement and the break finds the claim gone and waits). With the claim in
// hand, nobody else can remove the lock: it is removed only while it is still that same file.
// Returns whether the lock was broken; false: someone else is breaking it, or it changed.
function breakStaleLock(lockPath: string, judged: Holder | undefined): boolean {
  pausePoint('lock-breaking');
  const claim = judged?.claim === undefined ? undefined : `${lockPath}.${judged.claim}`;
  const names = readOr(() => statSync(lockPath).nlink);
  if (claim === undefined && names !== undefined && names > 1) return false; // judged an unclaimed lock; a claimed one is there now
  if (claim === undefined || names === 1) return breakUnclaimedLock(lockPath, judged);
  const aside = asideName(lockPath);
  holdFile(aside);
  try {
    renameSync(claim, aside);
  } catch {
    releaseFile(aside);
    return false; // another breaker has it, or the holder let go
  }
  pausePoint('lock-claimed');
  const broken = readOr(() => statSync(aside).ino) === readOr(() => statSync(lockPath).ino);
  if (broken) removeQuietly(lockPath);
  removeQuietly(aside);
  releaseFile(aside);
  return broken;
}

// A lock without a claim (an older aws2fa's): it is renamed aside (atomic: exactly one breaker gets it) and judged
// again there; one that turns out to be someone's new one is linked back where it was, the same file. While it is
// aside the name is free: the holder finds out before it writes (lockStillHeld). A claimed lock is never taken this
// way (the caller looks at its names first), so only a lock of an older aws2fa can be moved aside while live.
function breakUnclaimedLock(lockPath: string, judged: Holder | undefined): boolean {
  const aside = asideName(lockPath);
  holdFile(aside);
  try {
    renameSync(lockPath, aside);
  } catch {
    releaseFile(aside);
    return false; // gone already: another breaker had it
  }
  pausePoint('lock-aside');
  const moved = holderIn(aside);
  const stale = moved?.raw === judged?.raw || isStale(aside, moved);
  if (!stale) {
    try {
      linkSync(aside, lockPath);
    } catch {
      // A third run took the free name meanwhile; the holder moved aside finds out before it writes (lockStillHeld).
    }
  }
  removeQuietly(aside);
  releaseFile(aside);
  return stale;
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
  let taken: HeldLock | undefined;
  while ((taken = tryCreate(lockPath)) === undefined) {
    const holder = holderIn(lockPath);
    if (isStale(lockPath, holder) && breakStaleLock(lockPath, holder)) continue;
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
  const held = taken.inode;
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
    // The lock first, then the claim: a lock without its claim would be judged as an older aws2fa's.
    removeQuietly(taken.claim);
    releaseFile(taken.claim);
  }
}
