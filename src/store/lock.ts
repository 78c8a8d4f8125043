import { linkSync, mkdirSync, readdirSync, readFileSync, readlinkSync, renameSync, statSync, writeSync, closeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { LockTimeoutError, ReadOnlyError } from '../errors.js';
import { createExclusive, requireWritableFolder, TEMP_MARKER } from './atomic.js';
import { asOneWrite, holdFile, holdLock, releaseFile, releaseLock, removeQuietly } from './in-flight.js';
import { pausePoint } from './pause-points.js';

export interface LockOptions {
  waitMs?: number;
}

// For a holder that cannot be checked (another PID namespace or boot, a record of an older aws2fa): a lock is held
// for milliseconds, so one this old was left behind.
const STALE_AFTER_MS = 120_000;

export function lockPathFor(target: string): string {
  return join(dirname(target), `.${basename(target)}.aws2fa.lock`);
}

// What identifies the holder: its pid means something only on this boot and in this PID namespace, and names
// the same process only while the start time matches (pids are reused).
interface Holder {
  pid: number;
  start?: string | undefined;
  boot?: string | undefined;
  ns?: string | undefined;
  raw: string;
}

function readOr<T>(read: () => T): T | undefined {
  try {
    return read();
  } catch {
    return undefined;
  }
}

// Field 22 of /proc/PID/stat, after the command name (which may hold spaces and parentheses).
function startTimeOf(pid: number | 'self'): string | undefined {
  const stat = readOr(() => readFileSync(`/proc/${pid}/stat`, 'utf8'));
  return stat?.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
}

let self: Omit<Holder, 'raw'> | undefined;
function me(): Omit<Holder, 'raw'> {
  self ??= {
    pid: process.pid,
    start: startTimeOf('self'),
    boot: readOr(() => readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim()),
    ns: readOr(() => readlinkSync('/proc/self/ns/pid')),
  };
  return self;
}

function recordOf(holder: Omit<Holder, 'raw'>): string {
  const nonce = Buffer.from(crypto.getRandomValues(new Uint8Array(8))).toString('hex');
  return `${holder.pid} start=${holder.start ?? '-'} boot=${holder.boot ?? '-'} ns=${holder.ns ?? '-'} nonce=${nonce}\n`;
}

function holderIn(path: string): Holder | undefined {
  const raw = readOr(() => readFileSync(path, 'utf8'));
  if (raw === undefined) return undefined;
  const pid = Number.parseInt(raw, 10);
  const field = (name: string) => {
    const value = new RegExp(`\\b${name}=(\\S+)`).exec(raw)?.[1];
    return value === '-' ? undefined : value;
  };
  return { pid: Number.isNaN(pid) ? 0 : pid, start: field('start'), boot: field('boot'), ns: field('ns'), raw };
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

function ageMs(path: string): number | undefined {
  const info = readOr(() => statSync(path));
  return info && Date.now() - info.mtimeMs;
}

type Verdict = 'gone' | 'alive' | 'unknown';

function judge(holder: Holder | undefined): Verdict {
  if (!holder || holder.pid <= 0) return 'unknown';
  const here = me();
  // A record without these is an older aws2fa's, written on this host.
  const sameWorld = (holder.boot === undefined || holder.boot === here.boot) && (holder.ns === undefined || holder.ns === here.ns);
  if (!sameWorld) return 'unknown';
  if (!isAlive(holder.pid)) return 'gone';
  if (holder.start === undefined) return 'unknown';
  const start = startTimeOf(holder.pid);
  if (start === undefined) return 'unknown'; // alive, but its /proc entry hidden (hidepid) or no /proc: cannot tell
  return start === holder.start ? 'alive' : 'gone';
}

function isStale(lockPath: string, holder: Holder | undefined): boolean {
  const verdict = judge(holder);
  if (verdict !== 'unknown') return verdict === 'gone';
  const age = ageMs(lockPath);
  return age !== undefined && age > STALE_AFTER_MS;
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
