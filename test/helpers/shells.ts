import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { finished } from './child.js';
import { findTool } from './tools.js';

export type ShellKind = `bash` | `zsh` | `fish` | `sh`;

export interface Shell {
  kind: ShellKind;
  path: string;
}

export interface ShellResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

// Each shell once per process, so a missing one is reported once.
const found = new Map<ShellKind, string | null>();

export function findShell(kind: ShellKind): Shell | null {
  if (!found.has(kind)) found.set(kind, kind === `sh` ? `/bin/sh` : findTool(kind));
  const path = found.get(kind);
  return path ? { kind, path } : null;
}

export function availableShells(kinds: ShellKind[]): Shell[] {
  return kinds.map(findShell).filter((shell): shell is Shell => shell !== null);
}

export function tempDir(prefix = `aws2fa-shell-`): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

// No rc files: the user's own setup must not change what the tests see.
const NO_CONFIG: Record<ShellKind, string[]> = {
  bash: [`--norc`, `--noprofile`],
  zsh: [`-f`],
  fish: [`--no-config`],
  sh: [],
};

// Runs `script` with an explicit, minimal environment; `env` adds to it (HOME is the temp dir `home`).
// `flags` go before `-c` (e.g. `-i` for an interactive shell).
export function runShell(shell: Shell, script: string, home: string, env: Record<string, string> = {}, flags: string[] = []): ShellResult {
  const result = spawnSync(shell.path, [...NO_CONFIG[shell.kind], ...flags, `-c`, script], {
    cwd: home,
    encoding: `utf8`,
    timeout: 20_000,
    env: { HOME: home, PATH: `/usr/local/bin:/usr/bin:/bin`, LANG: `C.UTF-8`, ...env },
  });
  if (result.error) throw result.error;
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

// The same, without blocking the event loop: needed when the script talks to a server running in this process.
export async function runShellAsync(shell: Shell, script: string, home: string, env: Record<string, string> = {}, flags: string[] = []): Promise<ShellResult> {
  const child = spawn(shell.path, [...NO_CONFIG[shell.kind], ...flags, `-c`, script], {
    cwd: home,
    env: { HOME: home, PATH: `/usr/local/bin:/usr/bin:/bin`, LANG: `C.UTF-8`, ...env },
  });
  const timer = setTimeout(() => child.kill(`SIGKILL`), 30_000);
  const { status, stdout, stderr } = await finished(child).finally(() => clearTimeout(timer));
  return { status, stdout, stderr };
}
