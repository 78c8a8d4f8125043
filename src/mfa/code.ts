import type { AppContext, Terminal } from '../context.js';
import { BadInputError, MissingCodeError, WrongCodeError } from '../errors.js';
import { configSection } from '../store/config.js';
import { findSection } from '../store/ini.js';
import { resolveAwsFiles, type FolderOptions } from '../store/paths.js';
import { loadIniFile } from '../store/read.js';
import { codeFromProcess } from './mfa-process.js';

export interface CodeRequest {
  profile: string; // named in prompts and messages
  given?: string | undefined; // CODE from the command line
  mfaProcess?: string | undefined; // the profile's mfa_process
  command?: string | undefined; // the aws2fa command run (`env login`, `exec`), named in advice; else login
  device?: { profile: string; serial: string } | undefined; // whose MFA device the code comes from (a role's root)
}

// `MFA code for prod: `; for a role, the code comes from its root's device, which the prompt names:
// `MFA code for alice (arn:aws:iam::123456789012:mfa/alice), for staging: `.
function codePrompt(ask: CodeRequest): string {
  const device = ask.device && ask.device.profile !== ask.profile ? `${ask.device.profile} (${ask.device.serial}), for ` : ``;
  return `MFA code for ${device}${ask.profile}: `;
}

// Asked on the terminal: a mistyped or expired code costs a try, not the run.
const TRIES = 3;

const isCode = (word: string) => /^\d{6}$/.test(word);

export function normaliseCode(raw: string): string {
  // Authenticator apps show "123 456"; people type what they see.
  const code = raw.replace(/\s+/g, '');
  if (!isCode(code)) {
    throw new BadInputError(`the MFA code must be the 6 digits your device shows now, not ${JSON.stringify(raw)}`);
  }
  return code;
}

// Gets the one-time code and makes the one request that spends it. A CODE given on the command line wins, then
// the profile's mfa_process, then the terminal; only codes asked on the terminal are asked again.
export async function withMfaCode<T>(context: AppContext, ask: CodeRequest, attempt: (code: string) => Promise<T>): Promise<T> {
  if (ask.given !== undefined) return attempt(normaliseCode(ask.given));
  if (ask.mfaProcess) return attempt(await codeFromProcess(context, ask.profile, ask.mfaProcess));
  const terminal = context.terminal;
  if (!terminal) {
    throw new MissingCodeError(`no MFA code given and no terminal to ask on: run aws2fa ${ask.command ?? `login`} ${ask.profile} 123456 with the code from your device`);
  }
  for (let tries = 1; ; tries++) {
    const last = tries === TRIES;
    const answer = await terminal.ask(codePrompt(ask));
    if (answer === '') {
      if (last) throw new MissingCodeError(`no code typed`);
      context.stderr.write(`aws2fa: no code typed; type the 6 digits your device shows\n`);
      continue;
    }
    let code: string;
    try {
      code = normaliseCode(answer);
    } catch (error) {
      if (last) throw error;
      context.stderr.write(`aws2fa: a code is the 6 digits your device shows; try again\n`);
      continue;
    }
    try {
      return await attempt(code);
    } catch (error) {
      if (last || !(error instanceof WrongCodeError)) throw error;
      context.stderr.write(`aws2fa: wrong code, try the next one\n`);
    }
  }
}

// The device ARN asked on the terminal: a typo costs a try, as with codes (3 in all), not the run. `check`
// returns the valid ARN or throws a BadInputError that says what is wrong with it.
export async function askSerial(context: AppContext, terminal: Terminal, question: string, check: (answer: string) => string): Promise<string> {
  for (let tries = 1; ; tries++) {
    const answer = (await terminal.ask(question)).trim();
    try {
      return check(answer);
    } catch (error) {
      if (tries === TRIES || !(error instanceof BadInputError)) throw error;
      const what = answer === '' ? `no device ARN typed` : error.message;
      context.stderr.write(`aws2fa: ${what}; try again\n`);
    }
  }
}

// `aws2fa login 123456` with AWS_PROFILE set means AWS_PROFILE's login with that code, unless a profile is really
// named 123456: a lone 6-digit word is the CODE.
export function loneCodeAsCode<R extends FolderOptions & { profile?: string | undefined; code?: string | undefined }>(
  context: AppContext,
  request: R,
): R {
  const word = request.profile;
  if (word === undefined || request.code !== undefined || !isCode(word)) return request;
  const files = resolveAwsFiles(request, context.env, context.home);
  const named = findSection(loadIniFile(files.credentials).doc, word) ?? configSection(loadIniFile(files.config).doc, word);
  return named ? request : { ...request, profile: undefined, code: word };
}
