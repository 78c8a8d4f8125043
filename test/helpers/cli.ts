import { spawn } from 'node:child_process';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import type { AppContext, Terminal } from '../../src/context.js';
import { runCli } from '../../src/cli.js';
import { finished } from './child.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

export interface RunResult {
  status: number;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  env: Record<string, string | undefined>;
  home: string;
  terminal?: Terminal | null;
  now?: () => Date;
}

function collect(stream: PassThrough): () => string {
  const chunks: Buffer[] = [];
  stream.on('data', (chunk: Buffer) => chunks.push(chunk));
  return () => Buffer.concat(chunks).toString('utf8');
}

// Drives the commands in-process through Clipanion's context, as clipanion's own tests do.
export async function runInProcess(argv: string[], options: RunOptions): Promise<RunResult> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const readOut = collect(stdout);
  const readErr = collect(stderr);
  const context: AppContext = {
    stdin: new PassThrough(),
    stdout,
    stderr,
    env: { HOME: options.home, ...options.env },
    colorDepth: 1,
    home: options.home,
    now: options.now ?? (() => new Date()),
    terminal: options.terminal ?? null,
  };
  const status = await runCli(argv, context);
  return { status, stdout: readOut(), stderr: readErr() };
}

export const BINARY = fileURLToPath(new URL('../../dist/aws2fa.cjs', import.meta.url));

// Runs the built bundle as users do: a real process, real stdio.
export async function runBinary(argv: string[], env: Record<string, string | undefined>, input?: string): Promise<RunResult> {
  const child = spawn(process.execPath, [BINARY, ...argv], { env: env as NodeJS.ProcessEnv, stdio: ['pipe', 'pipe', 'pipe'] });
  child.stdin.end(input ?? '');
  const { status, signal, stdout, stderr } = await finished(child);
  return { status: status ?? (signal ? 128 : 1), stdout, stderr };
}

// A minimal environment for child processes: nothing of the developer's own AWS setup leaks in.
export function cleanEnv(home: string, extra: Record<string, string | undefined> = {}): Record<string, string | undefined> {
  return { PATH: process.env.PATH, HOME: home, LANG: 'C.UTF-8', AWS_EC2_METADATA_DISABLED: 'true', ...extra };
}

export function scriptedTerminal(answers: string[]): Terminal & { questions: string[] } {
  const questions: string[] = [];
  return {
    questions,
    async ask(question) {
      questions.push(question);
      const answer = answers.shift();
      if (answer === undefined) throw new Error(`unexpected question: ${question}`);
      return answer;
    },
  };
}
