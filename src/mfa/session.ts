import { targetFor } from '../aws/endpoint.js';
import { getSessionToken } from '../aws/sts.js';
import type { AppContext } from '../context.js';
import { debugFor } from '../debug.js';
import { BadInputError, MissingSerialError } from '../errors.js';
import { withFileLock } from '../store/lock.js';
import { setConfigValue } from '../store/config.js';
import { joinLines } from '../store/ini.js';
import { loadIniFile } from '../store/read.js';
import { resolveTarget, writeFileAtomic } from '../store/atomic.js';
import type { SessionKeys } from '../store/credentials.js';
import type { ResolvedProfile } from '../profiles/resolve.js';
import { askSerial, withMfaCode } from './code.js';

export interface SessionRequest {
  code?: string | undefined;
  serial?: string | undefined;
  durationSeconds: number;
  /** the aws2fa command run, named in advice (default login) */
  command?: string | undefined;
}

export interface StartedSession {
  keys: SessionKeys;
  serial: string;
  serialWasAsked: boolean;
}

// AWS's own constraint on SerialNumber: 9–256 characters of [\w+=/:,.@-] (an ARN or a hardware serial).
const SERIAL_PATTERN = /^[\w+=/:,.@-]{9,256}$/;

function checkSerial(serial: string, where: string): string {
  if (!SERIAL_PATTERN.test(serial)) {
    throw new BadInputError(
      `the MFA device ${JSON.stringify(serial)} (${where}) is not a device ARN like arn:aws:iam::123456789012:mfa/alice`,
    );
  }
  return serial;
}

// The device of the root's MFA: --serial, else the first mfa_serial along the chain, else asked (and then saved
// to the root profile, where the AWS CLI looks for it when it makes the root's session).
export async function chooseSerial(context: AppContext, profile: ResolvedProfile, given: string | undefined): Promise<[string, boolean]> {
  if (given) return [checkSerial(given, '--serial'), false];
  if (profile.serial) return [checkSerial(profile.serial, `mfa_serial of profile ${profile.serialProfile ?? profile.name}`), false];
  if (!context.terminal) {
    throw new MissingSerialError(
      `profile ${profile.root} has no MFA device: pass --serial arn:aws:iam::ACCOUNT:mfa/USER, or run ` +
        `aws configure set mfa_serial arn:aws:iam::ACCOUNT:mfa/USER --profile ${profile.root}`,
    );
  }
  const question = `MFA device ARN for profile ${profile.root} (saved to ${profile.files.config}): `;
  return [await askSerial(context, context.terminal, question, (answer) => checkSerial(answer, 'typed on the terminal')), true];
}

// Taken for each call: under a renewal's deadline, a call gets only what the calls before it left.
export function stsTarget(context: AppContext, profile: ResolvedProfile) {
  const quickMs = context.renewalDeadline === undefined ? undefined : Math.max(1, context.renewalDeadline - Date.now());
  return targetFor(context.env, 'STS', profile.stsRegion, debugFor(context), quickMs);
}

// The root's MFA session (GetSessionToken with its long-term keys). Everything that can be checked is checked before
// the one network call.
export async function startSession(context: AppContext, profile: ResolvedProfile, request: SessionRequest): Promise<StartedSession> {
  const [serial, serialWasAsked] = await chooseSerial(context, profile, request.serial);
  // The code is never logged; it is not registered as a secret either, as masking six digits would also mask
  // them inside account ids and serials.
  const target = stsTarget(context, profile);
  const keys = await withMfaCode(context, { profile: profile.name, given: request.code, mfaProcess: profile.mfaProcess, command: request.command, device: { profile: profile.root, serial } }, (code) =>
    getSessionToken(target, profile.longTerm.keys, { serial, code, durationSeconds: request.durationSeconds }),
  );
  return { keys, serial, serialWasAsked };
}

// A device typed on the terminal is remembered the careful way: one line added to the config file.
export async function rememberSerial(profile: Pick<ResolvedProfile, 'files' | 'root'>, serial: string): Promise<void> {
  const target = resolveTarget(profile.files.config);
  await withFileLock(target, async () => {
    const config = loadIniFile(profile.files.config);
    writeFileAtomic(profile.files.config, joinLines(setConfigValue(config.doc, profile.root, 'mfa_serial', serial)));
  });
}
