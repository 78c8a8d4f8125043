import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { constants } from 'node:os';
import type { AppContext } from '../context.js';

// What a person or a supervisor sends the run is meant for the command: aws2fa only waits for it.
const FORWARDED = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT', 'SIGUSR1', 'SIGUSR2', 'SIGWINCH'] as const;
const TERMINAL_KEYS = new Set<string>(['SIGINT', 'SIGQUIT']);

// Ctrl-C and Ctrl-\ signal the terminal's whole foreground process group, the command included (it shares
// aws2fa's group): passing them on too would make two, and a second Ctrl-C means "abort now" to terraform.
// True when aws2fa's group is that foreground group (Linux; elsewhere every signal is passed on).
function inForegroundGroup(): boolean {
  try {
    const stat = readFileSync('/proc/self/stat', 'utf8');
    // After "pid (comm) ": state ppid pgrp session tty_nr tpgid
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return fields[2] === fields[5];
  } catch {
    return false;
  }
}

// Runs the command as its own: stdin, stdout and stderr are the command's, and its exit status is the run's,
// a death by signal N as 128+N, as shells report it.
export function runCommand(context: AppContext, argv: [string, ...string[]], env: Record<string, string>): Promise<number> {
  const [file, ...args] = argv;
  return new Promise((resolve) => {
    // aws2fa's own handlers (exit 130 on Ctrl-C) would end the run while the command goes on.
    for (const signal of FORWARDED) process.removeAllListeners(signal);
    const child = spawn(file, args, { env, stdio: 'inherit' });
    const forward = (signal: NodeJS.Signals) => {
      if (!(TERMINAL_KEYS.has(signal) && inForegroundGroup())) child.kill(signal);
    };
    for (const signal of FORWARDED) process.on(signal, forward);
    const done = (status: number) => {
      for (const signal of FORWARDED) process.removeListener(signal, forward);
      resolve(status);
    };
    child.on('error', (error: NodeJS.ErrnoException) => {
      const [status, why] = error.code === 'ENOENT' ? [127, 'command not found'] : error.code === 'EACCES' ? [126, 'permission denied'] : [126, error.message];
      context.stderr.write(`aws2fa: ${file}: ${why}\n`);
      done(status);
    });
    child.on('exit', (status, signal) => done(signal ? 128 + (constants.signals[signal] ?? 0) : (status ?? 1)));
  });
}
