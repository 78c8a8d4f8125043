import { spawn, type ChildProcess } from 'node:child_process';
import { readdir } from 'node:fs/promises';
import { finished } from './child.js';
import { BINARY } from './cli.js';

// The built binary as a child the test can signal, kill, or watch for hanging. Always asynchronous: the fake AWS
// endpoint runs in the test process and must keep answering while the child runs.

export interface Exit {
  status: number | null; // null when ended by a signal
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  guardKilled: boolean; // still running at the guard's limit: it hung, and the test killed it
}

export interface Running {
  child: ChildProcess;
  exited: Promise<Exit>;
}

export interface StartOptions {
  guardMs?: number;
  stdin?: string;
  uid?: number;
  gid?: number;
  cwd?: string;
  detached?: boolean; // a session of its own: no controlling terminal, whoever runs the tests
}

export function startBinary(argv: string[], env: Record<string, string | undefined>, options: StartOptions = {}): Running {
  const child = spawn(process.execPath, [BINARY, ...argv], {
    env: env as NodeJS.ProcessEnv,
    stdio: ['pipe', 'pipe', 'pipe'],
    ...(options.uid !== undefined ? { uid: options.uid, gid: options.gid ?? options.uid } : {}),
    ...(options.cwd ? { cwd: options.cwd } : {}),
    detached: options.detached ?? false,
  });
  child.stdin!.on('error', () => undefined); // a child killed early breaks the pipe
  child.stdin!.end(options.stdin ?? '');
  let guardKilled = false;
  const guard = setTimeout(() => {
    guardKilled = true;
    child.kill('SIGKILL');
  }, options.guardMs ?? 20_000);
  const exited = finished(child)
    .finally(() => clearTimeout(guard))
    .then((end) => ({ ...end, guardKilled }));
  return { child, exited };
}

export function runBinaryGuarded(argv: string[], env: Record<string, string | undefined>, options: StartOptions = {}): Promise<Exit> {
  return startBinary(argv, env, options).exited;
}

// Lock files, lock drafts and temporary files aws2fa may leave beside a file.
export async function leftovers(folder: string): Promise<string[]> {
  return (await readdir(folder)).filter((name) => name.includes('.aws2fa')).sort();
}

export async function until(condition: () => boolean | Promise<boolean>, limitMs = 10_000): Promise<void> {
  const deadline = Date.now() + limitMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${limitMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

// A small seeded generator: a failing property test names its seed, and the same seed gives the same cases.
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 0x1_0000_0000;
  };
}
