import { spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import type { AppContext } from '../context.js';
import { MfaProcessError } from '../errors.js';

const BOUND_SECONDS = 60;
// A code is 6 digits and a newline; anything much longer is not a code, and is not kept.
const MAX_OUTPUT_BYTES = 4096;

// AWS2FA_MFA_PROCESS_TIMEOUT (seconds) may shorten the bound, never lengthen it: tests and impatient people.
function boundSeconds(env: Record<string, string | undefined>): number {
  const seconds = Number(env.AWS2FA_MFA_PROCESS_TIMEOUT ?? BOUND_SECONDS);
  return seconds > 0 && seconds < BOUND_SECONDS ? seconds : BOUND_SECONDS;
}

// The terminal itself, whatever stdin and stderr are: a YubiKey's "Touch your key" must reach the person, and
// a password manager may ask for its own password. Undefined without a controlling terminal.
function openTerminal(): number | undefined {
  try {
    return openSync('/dev/tty', 'r+');
  } catch {
    return undefined;
  }
}

// Runs the profile's mfa_process (aws-vault's key) with /bin/sh -c and takes the code from its stdout. What it
// printed is never shown: a command that prints a secret by mistake (a password, a whole vault item) must not
// have it copied into a message.
export async function codeFromProcess(context: AppContext, profile: string, command: string): Promise<string> {
  const failed = (why: string) => new MfaProcessError(`mfa_process of profile ${profile} ${why}`);
  const advice = `run it by itself to see why, or give the code on the command line`;
  const seconds = boundSeconds(context.env);
  const tty = openTerminal();
  // A process group of its own (a session: the only one Node can make), so that the whole group ends when aws2fa
  // moves on, a background child or a pipeline still reading the terminal included. The terminal is its stdin and
  // stderr as a descriptor: reading it is never stopped, as it is not the group's controlling terminal.
  const child = spawn('/bin/sh', ['-c', command], { env: context.env as NodeJS.ProcessEnv, stdio: [tty ?? 'inherit', 'pipe', tty ?? 'pipe'], detached: true });
  if (tty !== undefined) closeSync(tty);
  const stdout = child.stdout!; // 'pipe' above
  const endGroup = () => {
    try {
      if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
    } catch {
      // Every process of the group has ended already.
    }
  };
  // Ctrl-C or a kill ends aws2fa while it waits: the group, no longer in the terminal's signalled group, ends too.
  process.on('exit', endGroup);
  return new Promise((resolve, reject) => {
    const output: Buffer[] = [];
    let size = 0;
    let settled = false;
    let exited: { status: number | null; signal: NodeJS.Signals | null } | undefined;
    let ended = false; // its stdout reached end of file
    const settle = (result: { code: string } | { error: MfaProcessError }) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      endGroup();
      process.removeListener('exit', endGroup);
      stdout.destroy();
      child.stderr?.destroy();
      if ('code' in result) resolve(result.code);
      else reject(result.error);
    };
    const stop = (error: MfaProcessError) => settle({ error });
    const judge = () => {
      if (!exited) return;
      const { status, signal } = exited;
      if (signal) return stop(failed(`was ended by ${signal}; ${advice}`));
      if (status !== 0) return stop(failed(`failed with exit status ${status}; ${advice}`));
      const code = Buffer.concat(output).toString('utf8').trim();
      if (!/^\d{6}$/.test(code)) return stop(failed(`did not print a 6-digit code (its output is not shown); it must print only the code`));
      settle({ code });
    };
    const timer = setTimeout(() => stop(failed(`gave no code within ${seconds} s: check that the device is at hand, ${advice}`)), seconds * 1000);
    const lineEnded = () => output.at(-1)?.at(-1) === 0x0a;
    stdout.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_OUTPUT_BYTES) return stop(failed(`printed more than a code (its output is not shown); it must print only the 6-digit code`));
      output.push(chunk);
      if (exited && lineEnded()) judge();
    });
    // Without a terminal its messages still reach the person, through aws2fa's own stderr.
    child.stderr?.on('data', (chunk: Buffer) => context.stderr.write(chunk));
    child.on('error', (error: NodeJS.ErrnoException) => stop(failed(`could not be started (/bin/sh: ${error.code ?? error.message})`)));
    // The shell has ended; a background child it left may hold stdout open, so its end of file may never come.
    // What the shell wrote is in the pipe already, readable in the same turn of the event loop as its exit: after
    // that turn (setImmediate), a code line that has arrived is the answer. Output without a line end yet waits
    // for the rest, or for the end of file.
    child.on('exit', (status, signal) => {
      exited = { status, signal };
      setImmediate(() => {
        if (signal || status !== 0 || ended || lineEnded()) judge();
      });
    });
    stdout.on('end', () => {
      ended = true;
      judge();
    });
  });
}
