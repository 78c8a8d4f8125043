import { spawn, spawnSync } from 'node:child_process';
import { finished } from '../helpers/child.js';
import { BINARY } from '../helpers/cli.js';
import { ptyAvailable } from '../helpers/pty.js';
import { findTool } from '../helpers/tools.js';

// A conversation with the built binary on a real pseudo-terminal (Python's pty module: Node has none): each step
// waits for a text to appear after what the previous step waited for, then types. No step waits on the clock:
// the 10 s limits only end a run that hangs.

export interface DialogStep {
  waitFor: string | string[]; // several: each of them, in any order
  type?: string;
  signal?: 'SIGINT' | 'SIGQUIT' | 'SIGTERM' | 'SIGUSR1'; // sent to aws2fa itself, not to the terminal's group
}

export interface DialogRun {
  status: number | null; // null when killed by a signal
  output: string; // everything written to the terminal
  reached: number; // how many steps saw their text
  hung: boolean;
  echoAfter: boolean;
  canonicalAfter: boolean;
  stdout: string | null; // with stdoutPipe: what went to stdout, apart from the terminal
}

// stdoutPipe: stdout a pipe, as under eval "$(…)" or the hook; stdinNull: stdin from /dev/null, the terminal
// still the controlling one (reachable through /dev/tty).

const DRIVER = String.raw`
import fcntl, json, os, pty, select, signal, subprocess, sys, termios, time
spec = json.loads(sys.argv[1])
master, slave = pty.openpty()
out = subprocess.PIPE if spec['stdoutPipe'] else slave
inp = subprocess.DEVNULL if spec['stdinNull'] else slave
# A session of its own with the pty as its controlling terminal, as a login shell has: /dev/tty opens, and a
# Ctrl-C typed in line mode is a SIGINT.
def controlling_terminal():
    os.setsid()
    fcntl.ioctl(slave, termios.TIOCSCTTY, 0)
proc = subprocess.Popen(spec['argv'], stdin=inp, stdout=out, stderr=slave, env=spec['env'], cwd=spec['cwd'], preexec_fn=controlling_terminal)
output = b''
seen = 0
def read(timeout):
    global output
    ready, _, _ = select.select([master], [], [], timeout)
    if ready:
        try:
            output += os.read(master, 65536)
        except OSError:
            pass
def wait_for(texts):
    global seen
    texts = texts if isinstance(texts, list) else [texts]
    deadline = time.time() + 10
    while time.time() < deadline:
        decoded = output.decode('utf-8', 'replace')
        found = [decoded.find(text, seen) for text in texts]
        if all(at >= 0 for at in found):
            seen = max(at + len(text) for at, text in zip(found, texts))
            return True
        read(0.02)
    return False
reached = 0
for step in spec['steps']:
    if not wait_for(step['waitFor']):
        break
    reached += 1
    if 'type' in step:
        os.write(master, step['type'].encode())
    if 'signal' in step:
        proc.send_signal(getattr(signal, step['signal']))
hung = False
deadline = time.time() + 10
while proc.poll() is None and time.time() < deadline:
    read(0.02)
if proc.poll() is None:
    hung = True
    proc.kill()
    proc.wait()
read(0.05)
while select.select([master], [], [], 0)[0]:
    before = len(output)
    read(0)
    if len(output) == before:
        break
piped = proc.stdout.read().decode('utf-8', 'replace') if spec['stdoutPipe'] else None
attrs = termios.tcgetattr(slave)
print(json.dumps({'status': proc.returncode if proc.returncode >= 0 else None, 'output': output.decode('utf-8', 'replace'),
    'reached': reached, 'hung': hung, 'echoAfter': bool(attrs[3] & termios.ECHO), 'canonicalAfter': bool(attrs[3] & termios.ICANON), 'stdout': piped}))
`;

export { ptyAvailable };

export function dialog(
  argv: string[],
  env: Record<string, string | undefined>,
  cwd: string,
  steps: DialogStep[],
  options: DialogOptions = {},
): Promise<DialogRun> {
  return dialogWith([process.execPath, BINARY, ...argv], env, cwd, steps, options);
}

export interface DialogOptions {
  stdoutPipe?: boolean;
  stdinNull?: boolean;
  withoutProc?: boolean;
}

// Whether a mount namespace with an empty /proc can be made here (a user namespace: root, or a kernel that lets
// users make them).
export function procCanBeHidden(): boolean {
  if (!findTool('unshare')) return false;
  const made = spawnSync('unshare', ['-rm', 'sh', '-c', 'mount -t tmpfs none /proc && [ ! -e /proc/self ]']).status === 0;
  if (!made) process.stderr.write(`\n!!!!! SKIPPED: no user and mount namespace can be made here; the tests without /proc did not run !!!!!\n\n`);
  return made;
}

// The binary started by a shell script instead (`"$AWS2FA" login prod; …`, AWS2FA names the binary): the shell
// leads the terminal's session and outlives aws2fa, as a user's shell does, so the script can look at what aws2fa
// left behind and read the next line typed.
export function dialogInShell(script: string, env: Record<string, string | undefined>, cwd: string, steps: DialogStep[]): Promise<DialogRun> {
  const aws2fa = `${process.execPath} ${BINARY}`;
  return dialogWith(['/bin/sh', '-c', script], { ...env, AWS2FA: aws2fa }, cwd, steps, {});
}

async function dialogWith(
  argv: string[],
  env: Record<string, string | undefined>,
  cwd: string,
  steps: DialogStep[],
  options: DialogOptions,
): Promise<DialogRun> {
  const python = findTool('python3');
  if (!python) throw new Error('python3 is not installed');
  const spec = JSON.stringify({ argv, env, cwd, steps, stdoutPipe: options.stdoutPipe ?? false, stdinNull: options.stdinNull ?? false });
  // withoutProc: in a mount namespace of its own with an empty /proc, as on macOS (which has none).
  const [file, args] = options.withoutProc
    ? ['unshare', ['-rm', 'sh', '-c', 'mount -t tmpfs none /proc && exec "$0" "$@"', python, '-c', DRIVER, spec]]
    : [python, ['-c', DRIVER, spec]];
  const { status, stdout, stderr } = await finished(spawn(file, args, { stdio: ['ignore', 'pipe', 'pipe'] }));
  if (status !== 0) throw new Error(`pty driver failed (${status}): ${stderr}`);
  return JSON.parse(stdout) as DialogRun;
}
