import { closeSync, fstatSync, readFileSync } from 'node:fs';

// The shell hook hands the held root session on a pipe at AWS2FA_HELD_FD (3..9). The descriptor is inherited
// without close-on-exec, and libuv passes such descriptors on to every child it spawns: it must be closed
// before aws2fa starts a command or mfa_process. Closed only when it is still the inherited one: a descriptor
// Node or libuv opened later (maybe under the same number, once the held value was read and closed) always has
// close-on-exec set, and closing it would break them.
export function closeHeldDescriptor(env: Record<string, string | undefined>): void {
  const raw = env.AWS2FA_HELD_FD;
  if (raw === undefined || !/^[3-9]$/.test(raw)) return;
  const fd = Number(raw);
  if (!isInherited(fd)) return;
  try {
    closeSync(fd);
  } catch {
    // already closed
  }
}

const O_CLOEXEC = 0o2000000;

function isInherited(fd: number): boolean {
  try {
    // Linux names the flags of each descriptor, close-on-exec included.
    const flags = /^flags:\s*([0-7]+)$/m.exec(readFileSync(`/proc/self/fdinfo/${fd}`, 'utf8'))?.[1];
    if (flags !== undefined) return (parseInt(flags, 8) & O_CLOEXEC) === 0;
  } catch {
    // no /proc (macOS), or no such descriptor
  }
  try {
    // Elsewhere: the hook's descriptor is a pipe; libuv's first descriptors (kqueue) are not.
    return fstatSync(fd).isFIFO();
  } catch {
    return false;
  }
}
