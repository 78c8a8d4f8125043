import { closeSync, fstatSync, readdirSync, readFileSync, readlinkSync, writeSync, type Stats } from 'node:fs';

// AWS2FA_HELD_FD names the descriptor on which the shell hook hands aws2fa the root session it holds: always 3, a
// pipe, read end only. Checked first thing, before it is touched: a descriptor the shell did not pass is one of
// Node's own (libuv's event queue, its signal and wake-up pipes), and reading or closing it aborts Node. What is
// checked (held.ts reads only what passes):
// - the name is 3: any other number may be Node's own, as libuv takes the lowest free descriptors at start;
// - descriptor 3 is open and a pipe (fstat says FIFO, with an inode: a macOS kqueue says FIFO too, inode 0), or a
//   socket (what a Node parent passes as a 'pipe'). Not passed, 3 is the first descriptor Node opens, its event
//   queue (epoll, kqueue), neither of them;
// - no descriptor of this process can write to that FIFO: Node's own pipes have both ends here, the hook's has
//   its writer in the shell. (/proc where there is one; elsewhere a write of no bytes tells a writable end, and
//   fstat's inode which descriptors are the same pipe.) Node makes no socket before it runs this.
// Then every other copy of it is closed (bash's process substitution leaves /dev/fd/63 open beside 3): no child of
// aws2fa (the exec'd command, docker, mfa_process) inherits the root session, and 3 itself is read and closed
// before anything is spawned (held.ts).

export const HELD_DESCRIPTOR = 3;
// Beyond this no shell puts a copy (bash: 63, zsh: 10 and up); scanned only where there is no /proc.
const SCAN_LIMIT = 256;

const O_ACCMODE = 3;

interface Descriptor {
  fd: number;
  writable: boolean;
}

// Every other descriptor of this process on the same pipe (Linux: /proc/self/fd links and fdinfo flags).
function copiesFromProc(fd: number): Descriptor[] | undefined {
  let names: string[];
  try {
    names = readdirSync(`/proc/self/fd`);
  } catch {
    return undefined;
  }
  const link = readlinkSync(`/proc/self/fd/${fd}`);
  const copies: Descriptor[] = [];
  for (const name of names) {
    const other = Number(name);
    try {
      if (readlinkSync(`/proc/self/fd/${name}`) !== link) continue;
      const flags = /^flags:\s*([0-7]+)$/m.exec(readFileSync(`/proc/self/fdinfo/${name}`, `utf8`))?.[1];
      copies.push({ fd: other, writable: flags === undefined || (parseInt(flags, 8) & O_ACCMODE) !== 0 });
    } catch {
      // gone meanwhile: the directory's own descriptor
    }
  }
  return copies;
}

function canWrite(fd: number): boolean {
  try {
    writeSync(fd, Buffer.alloc(0));
    return true;
  } catch {
    return false;
  }
}

// Anywhere: descriptors with the same device and inode; a write of no bytes succeeds only on a writable end.
function copiesFromFstat(fd: number, pipe: Stats): Descriptor[] {
  const copies: Descriptor[] = [];
  for (let other = 0; other < SCAN_LIMIT; other += 1) {
    let stats: Stats;
    try {
      stats = fstatSync(other);
    } catch {
      continue;
    }
    if (stats.ino !== pipe.ino || stats.dev !== pipe.dev || stats.mode !== pipe.mode) continue;
    copies.push({ fd: other, writable: stats.isFIFO() && canWrite(other) });
  }
  return copies;
}

// Why the named descriptor is not the hook's pipe, or undefined when it is (its other copies are then closed).
export function refuseHeldDescriptor(named: string, options: { proc: boolean } = { proc: true }): string | undefined {
  if (named !== String(HELD_DESCRIPTOR)) return `it is not ${HELD_DESCRIPTOR}, the descriptor the shell hook passes`;
  const fd = HELD_DESCRIPTOR;
  let stats: Stats;
  try {
    stats = fstatSync(fd);
  } catch {
    return `descriptor ${fd} is not open`;
  }
  const socket = stats.isSocket();
  if (!(stats.isFIFO() || socket) || stats.ino === 0) return `descriptor ${fd} is not a pipe`;
  const copies = (options.proc ? copiesFromProc(fd) : undefined) ?? copiesFromFstat(fd, stats);
  if (!socket && copies.some((copy) => copy.writable)) return `descriptor ${fd} is a pipe this process can write to, not one the shell passed`;
  for (const copy of copies) {
    if (copy.fd === fd) continue;
    try {
      closeSync(copy.fd);
    } catch {
      // already closed
    }
  }
  return undefined;
}
