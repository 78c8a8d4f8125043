import { unlinkSync } from 'node:fs';

// What a signal handler needs to end the process cleanly: the files this process has created and not yet renamed
// or removed (lock, lock draft, temporary file), whether a read-modify-write is under way, and what it has
// written. Signals are process-wide, so this is process-wide state.

const heldFiles = new Set<string>();
const written: string[] = [];
let writesUnderWay = 0;
let onSettled: Array<() => void> = [];

export function holdFile(path: string): void {
  heldFiles.add(path);
}

export function releaseFile(path: string): void {
  heldFiles.delete(path);
}

// The locks this process holds, by the file they guard, each with a check that it is still in place: a write
// looks before it renames, so that a run whose lock was moved away by a breaker never writes beside another.
const locks = new Map<string, () => boolean>();

export function holdLock(target: string, stillHeld: () => boolean): void {
  locks.set(target, stillHeld);
}

export function releaseLock(target: string): void {
  locks.delete(target);
}

// undefined: no lock of ours guards this file.
export function lockStillHeld(target: string): boolean | undefined {
  return locks.get(target)?.();
}

// Work an interruption would leave half done that no written file shows (rotate: a key IAM may have made), said
// with the interruption.
let unfinished: string | undefined;

export function noteUnfinished(what: string | undefined): void {
  unfinished = what;
}

export function unfinishedWork(): string | undefined {
  return unfinished;
}

export function noteWritten(path: string): void {
  written.push(path);
}

export function filesWritten(): readonly string[] {
  return written;
}

// A write that has taken its lock runs to its end (a few milliseconds) rather than being cut off mid-way,
// so that "nothing was written" or "X was written" is always the truth.
export async function asOneWrite<T>(work: () => Promise<T>): Promise<T> {
  writesUnderWay += 1;
  try {
    return await work();
  } finally {
    writesUnderWay -= 1;
    if (writesUnderWay === 0) {
      const waiting = onSettled;
      onSettled = [];
      for (const resolve of waiting) resolve();
    }
  }
}

export function writesSettled(): Promise<void> {
  return writesUnderWay === 0 ? Promise.resolve() : new Promise((resolve) => onSettled.push(resolve));
}

// A file of ours that may already be gone (or never made it): removed if it is there.
export function removeQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // already gone
  }
}

// Synchronous: called right before the process exits.
export function removeHeldFiles(): void {
  for (const path of heldFiles) removeQuietly(path);
  heldFiles.clear();
}
