import { chmod, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import type { AppContext } from '../../src/context.js';
import { runCli } from '../../src/cli.js';
import * as posix from '../../src/shell/posix.js';
import type { RunResult } from '../helpers/cli.js';
import type { World } from '../helpers/world.js';

// In-process runs of `aws2fa console` with stdout on a "terminal" or not, a recording $BROWSER, and the login URL
// followed to the fake endpoint's redirect.

export async function runConsole(world: World, argv: string[], options: { env?: Record<string, string | undefined>; terminal?: boolean } = {}): Promise<RunResult> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  stdout.on('data', (chunk: Buffer) => out.push(chunk));
  stderr.on('data', (chunk: Buffer) => err.push(chunk));
  const context: AppContext = {
    stdin: new PassThrough(),
    stdout,
    stderr,
    env: { HOME: world.home, ...world.env, ...options.env },
    colorDepth: 1,
    home: world.home,
    now: () => new Date(),
    terminal: null,
    stdoutIsTerminal: options.terminal ?? false,
  };
  const status = await runCli(argv, context);
  return { status, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') };
}

// A browser that writes each of its arguments on a line of `record` and exits with `status`.
export async function recordingBrowser(folder: string, status = 0): Promise<{ program: string; record: string; argv(): Promise<string[] | null> }> {
  const program = join(folder, `browser-${status}`);
  const record = join(folder, `browser-${status}.argv`);
  await writeFile(program, `#!/bin/sh\nfor a in "$@"; do printf '%s\\n' "$a"; done > ${posix.quote(record)}\nexit ${status}\n`);
  await chmod(program, 0o755);
  return {
    program,
    record,
    argv: () => readFile(record, 'utf8').then((text) => text.split('\n').slice(0, -1), () => null),
  };
}

export interface LoginUrl {
  url: URL;
  params: Record<string, string>;
}

export function parseLoginUrl(text: string): LoginUrl {
  const url = new URL(text);
  return { url, params: Object.fromEntries(url.searchParams) };
}

// What a browser does with it: the endpoint answers with a redirect to the console page.
export async function follow(url: string): Promise<{ status: number; location: string | null }> {
  const response = await fetch(url, { redirect: 'manual' });
  await response.arrayBuffer();
  return { status: response.status, location: response.headers.get('location') };
}

// Both files, byte for byte and by time, and what the folder holds: console never writes.
export async function filesState(world: World) {
  const times = async (path: string) => (await stat(path)).mtimeMs;
  return { ...(await world.snapshot()), times: [await times(world.credentials), await times(world.config)], names: (await readdir(world.aws)).sort() };
}

export function linesOf(text: string): string[] {
  return text.split('\n').filter(Boolean);
}
