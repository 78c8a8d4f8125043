import { spawn } from 'node:child_process';
import { finished } from './child.js';
import { BINARY } from './cli.js';
import { findTool } from './tools.js';

// Runs the built binary on a real pseudo-terminal (Python's pty module: Node has none), waits for a text to appear
// (and, with `go`, for the test to say when: a byte on the driver's stdin), then acts like a person (types, presses Ctrl-C) or like the system (sends a signal), and reports the exit and the
// terminal's modes before and after, so a test can tell that echo came back.

export interface PtyRun {
  status: number | null; // exit status; null when killed by a signal
  signal: number | null;
  output: string; // everything the binary wrote to the terminal
  sawPrompt: boolean;
  echoWhileWaiting: boolean;
  echoAfter: boolean;
  canonicalAfter: boolean;
  hung: boolean; // still running 10 s after the action, and killed
  stdout: string | null; // with stdoutPipe: what went to stdout, apart from the terminal
}

export type PtyAction = { type: string } | { signal: 'SIGINT' | 'SIGTERM' };

const DRIVER = String.raw`
import json, os, pty, select, signal, subprocess, sys, termios, time
spec = json.loads(sys.argv[1])
master, slave = pty.openpty()
proc = subprocess.Popen(spec['argv'], stdin=slave, stdout=subprocess.PIPE if spec.get('stdoutPipe') else slave, stderr=slave, env=spec['env'], cwd=spec['cwd'], start_new_session=True)
output = b''
def pump(seconds, until=None):
    global output
    deadline = time.time() + seconds
    while time.time() < deadline:
        if until is not None and until in output.decode('utf-8', 'replace'):
            return True
        ready, _, _ = select.select([master], [], [], 0.02)
        if ready:
            try:
                output += os.read(master, 65536)
            except OSError:
                return False
        elif until is None and proc.poll() is not None:
            return True
    return until is None
saw = pump(10, spec['waitFor'])
if spec.get('waitForGo'):
    sys.stdin.buffer.read(1)
echo_while = bool(termios.tcgetattr(slave)[3] & termios.ECHO)
action = spec['action']
if 'type' in action:
    os.write(master, action['type'].encode())
else:
    proc.send_signal(getattr(signal, action['signal']))
hung = False
try:
    proc.wait(timeout=10)
except subprocess.TimeoutExpired:
    hung = True
    proc.kill()
    proc.wait()
pump(0.2)
piped = proc.stdout.read().decode('utf-8', 'replace') if spec.get('stdoutPipe') else None
attrs = termios.tcgetattr(slave)
code = proc.returncode
print(json.dumps({
    'status': code if code >= 0 else None, 'signal': -code if code < 0 else None,
    'output': output.decode('utf-8', 'replace'), 'sawPrompt': saw, 'echoWhileWaiting': echo_while,
    'echoAfter': bool(attrs[3] & termios.ECHO), 'canonicalAfter': bool(attrs[3] & termios.ICANON), 'hung': hung, 'stdout': piped,
}))
`;

let python: string | null | undefined;

export function ptyAvailable(): boolean {
  if (python === undefined) python = findTool('python3');
  return python !== null;
}

export async function runOnPty(
  argv: string[],
  env: Record<string, string | undefined>,
  cwd: string,
  waitFor: string,
  action: PtyAction,
  options: { stdoutPipe?: boolean; go?: Promise<unknown> } = {},
): Promise<PtyRun> {
  if (!ptyAvailable()) throw new Error('python3 is not installed');
  const spec = JSON.stringify({ argv: [process.execPath, BINARY, ...argv], env, cwd, waitFor, action, stdoutPipe: options.stdoutPipe ?? false, waitForGo: Boolean(options.go) });
  const driver = spawn(python!, ['-c', DRIVER, spec], { stdio: ['pipe', 'pipe', 'pipe'] });
  driver.stdin.on('error', () => undefined); // a driver that failed early
  if (options.go) void options.go.then(() => driver.stdin.end('g'));
  else driver.stdin.end();
  const { status, stdout, stderr } = await finished(driver);
  if (status !== 0) throw new Error(`pty driver failed (${status}): ${stderr}`);
  return JSON.parse(stdout) as PtyRun;
}
