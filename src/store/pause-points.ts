import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

// Named points in the lock and the write where a test can see a run arrive and hold it there, to force an
// interleaving of real processes (a stalled breaker, a kill at a chosen step) by events instead of timing.
// AWS2FA_TEST_EVENTS=DIR: each point reached creates DIR/POINT.PID. AWS2FA_TEST_PAUSE_AT=POINT[,POINT]: the run
// then waits until DIR/POINT.PID.go exists. Unset (always, outside tests), a point costs one look at the environment.

// lock-breaking: a breaker has judged the lock stale and is about to break it; lock-claimed: it has claimed the stale
// holder's own name and is about to remove the lock; lock-aside: (a lock without such a name) it has moved the lock
// aside and is about to judge it again; lock-checked: a writer has seen its lock still in place and is about to rename.
export type PausePoint =
  | 'lock-waiting'
  | 'lock-breaking'
  | 'lock-claimed'
  | 'lock-aside'
  | 'lock-taken'
  | 'before-rename'
  | 'lock-checked'
  // the steps of `rotate` (src/keys/rotate.ts)
  | 'rotate-before-create'
  | 'rotate-after-create'
  | 'rotate-after-write'
  | 'rotate-before-delete'
  | 'rotate-after-delete';

const LONGEST_PAUSE_MS = 60_000;

export function pausePoint(point: PausePoint): void {
  const folder = process.env.AWS2FA_TEST_EVENTS;
  if (!folder) return;
  const base = join(folder, `${point}.${process.pid}`);
  try {
    writeFileSync(base, '');
  } catch {
    return;
  }
  if (!(process.env.AWS2FA_TEST_PAUSE_AT ?? '').split(',').includes(point)) return;
  const tick = new Int32Array(new SharedArrayBuffer(4));
  const deadline = Date.now() + LONGEST_PAUSE_MS;
  // Synchronous on purpose: the point may sit inside a synchronous step, which must not be cut in two.
  while (!existsSync(`${base}.go`) && Date.now() < deadline) Atomics.wait(tick, 0, 0, 5);
}
