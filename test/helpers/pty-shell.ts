import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { findTool } from './tools.js';

// An interactive shell on a real pseudo-terminal (Python's pty module: Node has none), driven step by step: the
// test types (Ctrl-C included, as a person would: the terminal sends SIGINT to its foreground group) and waits for
// a text to appear after what it already waited for. A wait that sees nothing within its guard fails the step:
// the guard never decides an outcome that should pass.

const DRIVER = String.raw`
import json, os, pty, select, signal, sys, time
spec = json.loads(sys.argv[1])
pid, master = pty.fork()
if pid == 0:
    os.chdir(spec['cwd'])
    os.execve(spec['argv'][0], spec['argv'], spec['env'])
output = b''
mark = 0
def until(needle, seconds):
    global output
    deadline = time.time() + seconds
    while True:
        at = output.find(needle, mark)
        if at >= 0:
            return at + len(needle)
        if time.time() > deadline:
            return -1
        ready, _, _ = select.select([master], [], [], 0.05)
        if ready:
            try:
                data = os.read(master, 65536)
            except OSError:
                return -1
            if not data:
                return -1
            output += data
for line in sys.stdin:
    step = json.loads(line)
    reply = {'ok': True}
    if 'type' in step:
        os.write(master, step['type'].encode())
    elif 'wait' in step:
        end = until(step['wait'].encode(), step['guard'])
        if end >= 0:
            mark = end
        reply = {'ok': end >= 0}
    else:
        break
    reply['output'] = output.decode('utf-8', 'replace')
    sys.stdout.write(json.dumps(reply) + '\n')
    sys.stdout.flush()
os.kill(pid, signal.SIGKILL)
os.waitpid(pid, 0)
sys.stdout.write(json.dumps({'ok': True, 'output': output.decode('utf-8', 'replace')}) + '\n')
sys.stdout.flush()
`;

export interface PtyShell {
  type(text: string): Promise<void>;
  /** the next appearance of `text` after the last one waited for; throws (with all output) when it never comes */
  waitFor(text: string, guardSeconds?: number): Promise<void>;
  /** everything the terminal showed */
  output(): string;
  close(): Promise<string>;
}

let python: string | null | undefined;

export function ptyShellAvailable(): boolean {
  if (python === undefined) python = findTool('python3');
  return python !== null;
}

export function startPtyShell(argv: string[], env: Record<string, string>, cwd: string): PtyShell {
  if (!ptyShellAvailable()) throw new Error('python3 is not installed');
  const driver = spawn(python!, ['-c', DRIVER, JSON.stringify({ argv, env, cwd })], { stdio: ['pipe', 'pipe', 'inherit'] });
  const replies = createInterface({ input: driver.stdout! })[Symbol.asyncIterator]();
  let seen = '';
  const step = async (request: object): Promise<{ ok: boolean; output: string }> => {
    driver.stdin!.write(`${JSON.stringify(request)}\n`);
    const next = await replies.next();
    if (next.done) throw new Error(`the pty driver ended early; the terminal showed:\n${seen}`);
    const reply = JSON.parse(next.value as string) as { ok: boolean; output: string };
    seen = reply.output;
    return reply;
  };
  return {
    async type(text) {
      await step({ type: text });
    },
    async waitFor(text, guardSeconds = 30) {
      const reply = await step({ wait: text, guard: guardSeconds });
      if (!reply.ok) throw new Error(`${JSON.stringify(text)} never appeared; the terminal showed:\n${seen}`);
    },
    output: () => seen,
    async close() {
      await step({ close: true });
      driver.stdin!.end();
      return seen;
    },
  };
}
