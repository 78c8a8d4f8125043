import { linkSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { LockTimeoutError, ReadOnlyError } from '../errors.js';
import { requireWritableFolder, TEMP_MARKER } from './atomic.js';
import { asOneWrite, holdFile, releaseFile, removeQuietly } from './in-flight.js';

export interface LockOptions {
  waitMs?: number;
}

const STALE_AFTER_MS = 120_000;
// Breaking a stale lock takes a few system calls; a breaker older than this was killed while at it.
const BREAKER_STALE_AFTER_MS = 5_000;

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

// Each step is synchronous, like every file operation of the store (see atomic.ts); only the wait for a live holder
// is not.

function pidIn(path: string): number | undefined {
  try {
    const pid = Number.parseInt(readFileSync(path, 'utf8'), 10);
    return Number.isNaN(pid) ? undefined : pid;
  } catch {
    return undefined;
  }
}

function ageMs(path: string): number | undefined {
  try {
    return Date.now() - statSync(path).mtimeMs;
  } catch {
    return undefined;
  }
}

// A lock left by a process that died (SIGKILL, power loss) is taken over; a live holder is waited for.
function isStale(lockPath: string, pid: number | undefined, staleAfterMs: number): boolean {
  if (pid !== undefined && !isAlive(pid)) return true;
  const age = ageMs(lockPath);
  return age !== undefined && age > staleAfterMs;
}

// A lock is born complete: its pid is written to a private draft first and then hard-linked into place, so a
// process killed at any instant never leaves an empty lock that nobody can judge stale.
function tryCreate(lockPath: string): boolean {
  const draft = `${lockPath}.${process.pid}`;
  holdFile(draft);
  try {
    writeFileSync(draft, `${process.pid}\n`, { mode: 0o600 });
    linkSync(draft, lockPath);
    holdFile(lockPath);
    return true;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return false;
    if (code === 'ENOENT') {
      mkdirSync(dirname(lockPath), { recursive: true, mode: 0o700 });
      return false;
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

function release(path: string): void {
  removeQuietly(path);
  releaseFile(path);
}

// Removing a stale lock by its path is only safe when no one else can remove it at the same time: two
// processes that both judged it stale would otherwise each remove it, the second one removing the fresh lock
// the first had taken meanwhile, and both would write. So breakers take turns through a second lock.
function breakStaleLock(lockPath: string, stalePid: number | undefined): void {
  const breaker = `${lockPath}.break`;
  if (!tryCreate(breaker)) {
    if (isStale(breaker, pidIn(breaker), BREAKER_STALE_AFTER_MS)) removeQuietly(breaker);
    return;
  }
  try {
    // Still the same dead holder? Then nobody has taken the lock since we looked, and nobody can while we hold
    // the breaker: only a breaker removes someone else's lock.
    if (pidIn(lockPath) === stalePid && isStale(lockPath, stalePid, STALE_AFTER_MS)) removeQuietly(lockPath);
  } finally {
    release(breaker);
  }
}

// Files of writers that were killed: temporary files hold secrets, drafts would only be litter. Each name carries
// the pid of its writer; those of live writers stay.
function sweepLeftovers(target: string): void {
  const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const name = escape(basename(target));
  const patterns = [
    new RegExp(`^\\.${name}${escape(TEMP_MARKER)}(\\d+)-[0-9a-f]+\\.tmp$`),
    new RegExp(`^\\.${name}\\.aws2fa\\.lock\\.(?:break\\.)?(\\d+)$`),
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
  // A breaker killed at work names its pid inside, like the lock.
  const breaker = `${lockPathFor(target)}.break`;
  if (names.includes(basename(breaker)) && isStale(breaker, pidIn(breaker), BREAKER_STALE_AFTER_MS)) removeQuietly(breaker);
}

export async function withFileLock<T>(target: string, work: () => Promise<T>, options: LockOptions = {}): Promise<T> {
  const lockPath = lockPathFor(target);
  requireWritableFolder(dirname(lockPath));
  const deadline = Date.now() + (options.waitMs ?? 10_000);
  let pause = 10;
  while (!tryCreate(lockPath)) {
    const holder = pidIn(lockPath);
    if (isStale(lockPath, holder, STALE_AFTER_MS)) {
      breakStaleLock(lockPath, holder);
      continue;
    }
    if (Date.now() > deadline) {
      throw new LockTimeoutError(
        `another aws2fa (pid ${holder ?? '?'}) is still changing ${target}; wait for it and try again, or remove ${lockPath} if no aws2fa is running`,
      );
    }
    // A plain timer, not node:timers/promises: that would be one more module loaded at every start.
    await new Promise((resolve) => setTimeout(resolve, pause + Math.random() * pause));
    pause = Math.min(pause * 2, 200);
  }
  try {
    return await asOneWrite(async () => {
      sweepLeftovers(target);
      return work();
    });
  } finally {
    release(lockPath);
  }
}
