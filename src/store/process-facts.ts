import { execFileSync } from 'node:child_process';
import { readFileSync, readlinkSync } from 'node:fs';

// What tells one process from another that later got its pid: its start time. Linux: /proc (clock ticks since
// boot, with the boot id and PID namespace that give a pid its meaning). Without /proc (macOS), the start as epoch
// seconds: our own from Node's clock (no spawn: every login writes a lock record), another's from `ps` (only when a
// lock is contended). The two clocks are never compared with each other.
// AWS2FA_TEST_NO_PROC=1 takes the path without /proc, so that tests run it on Linux.

const hasProc = () => process.env.AWS2FA_TEST_NO_PROC !== '1';

function readOr<T>(read: () => T): T | undefined {
  try {
    return read();
  } catch {
    return undefined;
  }
}

/** Field 22 of /proc/PID/stat, after the command name (which may hold spaces and parentheses). */
export function procStartOf(pid: number | 'self'): string | undefined {
  if (!hasProc()) return undefined;
  const stat = readOr(() => readFileSync(`/proc/${pid}/stat`, 'utf8'));
  return stat?.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
}

export function procBootId(): string | undefined {
  return hasProc() ? readOr(() => readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim()) : undefined;
}

export function procPidNamespace(): string | undefined {
  return hasProc() ? readOr(() => readlinkSync('/proc/self/ns/pid')) : undefined;
}

/** This process's start, epoch seconds. */
export function ownStartSeconds(): number {
  return Math.floor((Date.now() - process.uptime() * 1000) / 1000);
}

// ps's start rounds down to the second; ours is read a few milliseconds after the kernel's, on a loaded machine more.
const TOLERANCE_S = 2;
const LSTART = /^[A-Z][a-z]{2} +([A-Z][a-z]{2}) +(\d{1,2}) (\d{2}):(\d{2}):(\d{2}) (\d{4})$/;
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

// ps prints local time, which names two instants in the hour repeated when daylight saving ends; an instant names one
// local time. So the comparison is made on local wall clocks (counted as if UTC), never on a guess of the instant.
function wallClockOf(epochSeconds: number): number {
  const at = new Date(epochSeconds * 1000);
  return Date.UTC(at.getFullYear(), at.getMonth(), at.getDate(), at.getHours(), at.getMinutes(), at.getSeconds()) / 1000;
}

function psWallClockStartOf(pid: number): number | undefined {
  const output = readOr(() =>
    execFileSync('/bin/ps', ['-o', 'lstart=', '-p', String(pid)], {
      encoding: 'utf8',
      env: { ...process.env, LC_ALL: 'C' }, // English day and month names; TZ stays ours, so both sides mean the same local time
      stdio: ['ignore', 'pipe', 'ignore'],
      timeout: 2_000,
      maxBuffer: 256,
    }),
  );
  const found = output === undefined ? null : LSTART.exec(output.trim());
  if (!found) return undefined;
  const [, month, day, hours, minutes, seconds, year] = found;
  const monthIndex = MONTHS.indexOf(month!);
  if (monthIndex < 0) return undefined;
  return Date.UTC(Number(year), monthIndex, Number(day), Number(hours), Number(minutes), Number(seconds)) / 1000;
}

/** Whether the live process PID is the one that started at epoch second SINCE; undefined: ps missing or failing. */
export function startedAt(pid: number, since: number): boolean | undefined {
  const started = psWallClockStartOf(pid);
  return started === undefined ? undefined : Math.abs(started - wallClockOf(since)) <= TOLERANCE_S;
}
