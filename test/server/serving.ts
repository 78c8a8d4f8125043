import { spawn, type ChildProcess } from 'node:child_process';
import { request } from 'node:http';
import { connect, type Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import { finished, type Finished } from '../helpers/child.js';
import { BINARY } from '../helpers/cli.js';

export const CLIENT = fileURLToPath(new URL('../fixtures/credential-client.mjs', import.meta.url));

// `aws2fa exec --server … -- node credential-client.mjs` as a child the test talks to: stdin stays open, and each
// JSON line the client prints is an event the test waits for.
export interface Serving {
  child: ChildProcess;
  next(): Promise<Record<string, unknown>>;
  send(line: string): void;
  exited: Promise<Finished & { guardKilled: boolean }>;
}

const running = new Set<ChildProcess>();

// After each test: a run a failed assertion left waiting for its next line is ended, not left to the guard.
export async function endLeftovers(): Promise<void> {
  for (const child of running) child.kill('SIGKILL');
  await Promise.all([...running].map((child) => new Promise((resolve) => child.once('close', resolve))));
}

export function startServing(argv: string[], env: Record<string, string | undefined>): Serving {
  const child = spawn(process.execPath, [BINARY, ...argv], { env: env as NodeJS.ProcessEnv, stdio: ['pipe', 'pipe', 'pipe'] });
  running.add(child);
  child.on('close', () => running.delete(child));
  child.stdin!.on('error', () => undefined);
  const lines: string[] = [];
  const waiting: Array<(line: string | undefined) => void> = [];
  let buffered = '';
  let ended = false;
  child.stdout!.on('data', (chunk: Buffer) => {
    buffered += chunk.toString('utf8');
    for (let at = buffered.indexOf('\n'); at >= 0; at = buffered.indexOf('\n')) {
      const line = buffered.slice(0, at);
      buffered = buffered.slice(at + 1);
      const waiter = waiting.shift();
      if (waiter) waiter(line);
      else lines.push(line);
    }
  });
  child.stdout!.on('end', () => {
    ended = true;
    for (const waiter of waiting.splice(0)) waiter(undefined);
  });
  let guardKilled = false;
  const guard = setTimeout(() => {
    guardKilled = true;
    child.kill('SIGKILL');
  }, 60_000);
  // finished() reads stdout too: the whole output is still there at the end.
  const exited = finished(child)
    .finally(() => clearTimeout(guard))
    .then((end) => ({ ...end, guardKilled }));
  return {
    child,
    exited,
    send: (line) => child.stdin!.write(`${line}\n`),
    next: async () => {
      const line = lines.shift() ?? (ended ? undefined : await new Promise<string | undefined>((resolve) => waiting.push(resolve)));
      if (line === undefined) throw new Error(`the command ended without a line: ${JSON.stringify(await exited)}`);
      return JSON.parse(line) as Record<string, unknown>;
    },
  };
}

export interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

// One request as a hostile caller may send it: any method, headers and body.
export function ask(url: string, options: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const sent = request(url, { method: options.method ?? 'GET', headers: options.headers ?? {} }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks).toString('utf8') }));
      response.on('error', reject);
    });
    sent.on('error', reject);
    sent.end(options.body);
  });
}

// A raw connection; resolves once connected (the kernel has queued it for the server).
export function openSocket(url: string): Promise<Socket> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => resolve(socket));
    socket.on('error', reject);
  });
}

// What the server does with a connection that sends a request: the first bytes it answers, or '' when it closes.
export function rawExchange(socket: Socket, text: string): Promise<string> {
  return new Promise((resolve) => {
    let seen = '';
    socket.on('data', (chunk: Buffer) => (seen += chunk.toString('latin1')));
    socket.on('close', () => resolve(seen));
    socket.on('error', () => undefined);
    socket.write(text);
  });
}
