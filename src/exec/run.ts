import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import type { AppContext } from '../context.js';

// What a person or a supervisor sends the run is meant for the command: aws2fa only waits for it.
const FORWARDED = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT', 'SIGUSR1', 'SIGUSR2', 'SIGWINCH'] as const;

// Runs the command as its own: stdin, stdout and stderr are the command's, and its exit status is the run's,
// a death by signal N as 128+N, as shells report it.
export function runCommand(context: AppContext, argv: [string, ...string[]], env: Record<string, string>): Promise<number> {
  const [file, ...args] = argv;
  return new Promise((resolve) => {
    // aws2fa's own handlers (exit 130 on Ctrl-C) would end the run while the command goes on.
    for (const signal of FORWARDED) process.removeAllListeners(signal);
    const child = spawn(file, args, { env, stdio: 'inherit' });
    const forward = (signal: NodeJS.Signals) => child.kill(signal);
    for (const signal of FORWARDED) process.on(signal, forward);
    child.on('error', (error: NodeJS.ErrnoException) => {
      const [status, why] = error.code === 'ENOENT' ? [127, 'command not found'] : error.code === 'EACCES' ? [126, 'permission denied'] : [126, error.message];
      context.stderr.write(`aws2fa: ${file}: ${why}\n`);
      resolve(status);
    });
    child.on('exit', (status, signal) => {
      for (const name of FORWARDED) process.removeListener(name, forward);
      resolve(signal ? 128 + (constants.signals[signal] ?? 0) : (status ?? 1));
    });
  });
}
