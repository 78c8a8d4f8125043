import { fstatSync, readSync, statSync } from 'node:fs';
import type { Writable } from 'node:stream';
import { UserError } from './errors.js';

// Env mode exists to print shell code: a run that could not hand it over has failed, whatever it did before.

export class UndeliveredOutputError extends UserError {}

// `aws2fa env login >&-`: Node reopens a closed stdout on /dev/null at start, read-write; a shell's `>/dev/null`
// opens it write-only. Told apart by reading: a 1-byte read of /dev/null takes nothing, and fails on a write-only
// descriptor (the same on Linux and macOS, no /proc needed).
function closedAtStart(stream: Writable): boolean {
  const fd = (stream as { fd?: unknown }).fd;
  if (typeof fd !== 'number') return false;
  try {
    const given = fstatSync(fd);
    if (!given.isCharacterDevice() || given.rdev !== statSync('/dev/null').rdev) return false;
    readSync(fd, Buffer.alloc(1), 0, 1, null);
    return true;
  } catch {
    return false;
  }
}

// Writes `text` and waits until the system has taken it; a closed stdout, a full disk or a reader that has gone
// away is one line, not a stack trace or a silent success.
export async function deliver(stream: Writable, text: string, what: string): Promise<void> {
  const advice = `nothing was delivered: run it as eval "$(aws2fa env login …)" or with the shell hook (aws2fa init)`;
  if (closedAtStart(stream)) throw new UndeliveredOutputError(`stdout is closed, so ${what} could not be written; ${advice}`);
  const failure = await new Promise<NodeJS.ErrnoException | null | undefined>((done) => {
    // The stream also emits the error as an event, which would crash the run unless someone listens.
    stream.once('error', () => undefined);
    stream.write(text, done);
  });
  if (failure) throw new UndeliveredOutputError(`could not write ${what} to stdout (${failure.code ?? failure.message}); ${advice}`);
}
