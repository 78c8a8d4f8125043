import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import type { AppContext } from '../context.js';
import { debugFor } from '../debug.js';
import { KEY_SIGNALS, type KeySignal, type Witness } from './witness.js';

// What a person or a supervisor sends the run is meant for the command: aws2fa only waits for it.
const FORWARDED = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT', 'SIGUSR1', 'SIGUSR2', 'SIGWINCH'] as const;

// Runs the command as its own: stdin, stdout and stderr are the command's, and its exit status is the run's,
// a death by signal N as 128+N, as shells report it.
// `starting` is the witness of typed keys (witness.ts), if any.
export async function runCommand(
  context: AppContext,
  argv: [string, ...string[]],
  env: Record<string, string>,
  starting: Promise<Witness | undefined>,
): Promise<number> {
  const [file, ...args] = argv;
  // Awaited while aws2fa's own handlers still answer a Ctrl-C (exit 130): the command has not started yet.
  const witness = await starting;
  return new Promise((resolve) => {
    // aws2fa's own handlers (exit 130 on Ctrl-C) would end the run while the command goes on.
    for (const signal of FORWARDED) process.removeAllListeners(signal);
    const child = spawn(file, args, { env, stdio: 'inherit' });
    // In the order they came: a signal is passed on after those before it, once the witness has said whether the
    // terminal sent it to the command already.
    const debug = debugFor(context);
    let passing = Promise.resolve();
    const forward = (signal: NodeJS.Signals) => {
      passing = passing.then(async () => {
        if (witness && KEY_SIGNALS.includes(signal) && (await witness.sawToo(signal as KeySignal))) {
          debug(`${signal} came from the terminal, to the command too: not passing it on`);
          return;
        }
        debug(`passing ${signal} on to the command`);
        child.kill(signal);
      });
    };
    for (const signal of FORWARDED) process.on(signal, forward);
    const done = (status: number) => {
      for (const signal of FORWARDED) process.removeListener(signal, forward);
      witness?.end();
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
