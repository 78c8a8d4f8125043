import { readFileSync, statSync } from 'node:fs';
import { ownStartSeconds, procBootId, procPidNamespace, procStartOf, startedAt } from './process-facts.js';

// Who holds a lock, written into it, and whether that holder is gone: the lock file's judgement of its holder.

// For a holder that cannot be checked (another PID namespace or boot, a record of an older aws2fa): a lock is held
// for milliseconds, so one this old was left behind.
const STALE_AFTER_MS = 120_000;

// What identifies the holder: its pid means something only on this boot and in this PID namespace, and names
// the same process only while the start time matches (pids are reused). The start is /proc's (`start`, clock ticks
// since boot) where there is a /proc, else epoch seconds (`since`): each is checked only against its own kind.
export interface Holder {
  pid: number;
  start?: string | undefined;
  since?: number | undefined;
  boot?: string | undefined;
  ns?: string | undefined;
  /** the holder's own name for its lock (LOCK.PID-RANDOM, kept while it holds it); absent in older records */
  claim?: string | undefined;
  raw: string;
}

export function readOr<T>(read: () => T): T | undefined {
  try {
    return read();
  } catch {
    return undefined;
  }
}

let self: Omit<Holder, 'raw'> | undefined;
export function me(): Omit<Holder, 'raw'> {
  if (!self) {
    const start = procStartOf('self');
    self = { pid: process.pid, start, since: start === undefined ? ownStartSeconds() : undefined, boot: procBootId(), ns: procPidNamespace() };
  }
  return self;
}

// `claim` for a lock (its holder's own second name); a record that names no lock (rotate's) has none.
export function recordOf(holder: Omit<Holder, 'raw' | 'claim'>, claim?: string): string {
  const nonce = Buffer.from(crypto.getRandomValues(new Uint8Array(8))).toString('hex');
  return `${holder.pid} start=${holder.start ?? '-'} since=${holder.since ?? '-'} boot=${holder.boot ?? '-'} ns=${holder.ns ?? '-'} nonce=${nonce}${claim === undefined ? '' : ` claim=${claim}`}\n`;
}

export function holderIn(path: string): Holder | undefined {
  const raw = readOr(() => readFileSync(path, 'utf8'));
  if (raw === undefined) return undefined;
  const pid = Number.parseInt(raw, 10);
  const field = (name: string) => {
    const value = new RegExp(`\\b${name}=(\\S+)`).exec(raw)?.[1];
    return value === '-' ? undefined : value;
  };
  // Only a name aws2fa makes: a record planted by someone else cannot point the breaker at another file.
  const claim = field('claim');
  const since = field('since');
  return { pid: Number.isNaN(pid) ? 0 : pid, start: field('start'), since: since && /^\d{1,12}$/.test(since) ? Number(since) : undefined, boot: field('boot'), ns: field('ns'), claim: claim && /^\d+-[0-9a-f]{12}$/.test(claim) ? claim : undefined, raw };
}

export function isAlive(pid: number): boolean {
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
  if (holder.start !== undefined) {
    const start = procStartOf(holder.pid);
    if (start === undefined) return 'unknown'; // alive, but its /proc entry hidden (hidepid) or no /proc: cannot tell
    return start === holder.start ? 'alive' : 'gone';
  }
  if (holder.since === undefined) return 'unknown';
  const same = startedAt(holder.pid, holder.since); // a spawn of ps, only here: the lock is contended
  if (same === undefined) return 'unknown';
  return same ? 'alive' : 'gone';
}

export function isStale(lockPath: string, holder: Holder | undefined): boolean {
  const verdict = judge(holder);
  if (verdict !== 'unknown') return verdict === 'gone';
  const age = ageMs(lockPath);
  return age !== undefined && age > STALE_AFTER_MS;
}

