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
  const child = spawn('/bin/sh', ['-c', command], { env: context.env as NodeJS.ProcessEnv, stdio: [tty ?? 'inherit', 'pipe', tty ?? 'pipe'] });
  if (tty !== undefined) closeSync(tty);
  const stdout = child.stdout!; // 'pipe' above
  return new Promise((resolve, reject) => {
    const output: Buffer[] = [];
    let size = 0;
    let ending: MfaProcessError | undefined;
    const stop = (error: MfaProcessError) => {
      ending ??= error;
      child.kill('SIGKILL');
      stdout.destroy();
      child.stderr?.destroy();
      clearTimeout(timer);
      reject(ending);
    };
    const timer = setTimeout(() => stop(failed(`gave no code within ${seconds} s: check that the device is at hand, ${advice}`)), seconds * 1000);
    stdout.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_OUTPUT_BYTES) stop(failed(`printed more than a code (its output is not shown); it must print only the 6-digit code`));
      else output.push(chunk);
    });
    // Without a terminal its messages still reach the person, through aws2fa's own stderr.
    child.stderr?.on('data', (chunk: Buffer) => context.stderr.write(chunk));
    child.on('error', (error: NodeJS.ErrnoException) => stop(failed(`could not be started (/bin/sh: ${error.code ?? error.message})`)));
    child.on('close', (status, signal) => {
      clearTimeout(timer);
      if (ending) return;
      if (signal) return reject(failed(`was ended by ${signal}; ${advice}`));
      if (status !== 0) return reject(failed(`failed with exit status ${status}; ${advice}`));
      const code = Buffer.concat(output).toString('utf8').trim();
      if (!/^\d{6}$/.test(code)) return reject(failed(`did not print a 6-digit code (its output is not shown); it must print only the code`));
      resolve(code);
    });
  });
}
