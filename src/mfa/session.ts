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
import { withMfaCode } from './code.js';
import { profileValue, type ResolvedProfile } from './profile.js';

export interface SessionRequest {
  code?: string | undefined;
  serial?: string | undefined;
  durationSeconds: number;
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

async function chooseSerial(context: AppContext, profile: ResolvedProfile, given: string | undefined): Promise<[string, boolean]> {
  if (given) return [checkSerial(given, '--serial'), false];
  if (profile.serial) return [checkSerial(profile.serial, `mfa_serial of profile ${profile.name}`), false];
  if (!context.terminal) {
    throw new MissingSerialError(
      `profile ${profile.name} has no MFA device: pass --serial arn:aws:iam::ACCOUNT:mfa/USER, or run ` +
        `aws configure set mfa_serial arn:aws:iam::ACCOUNT:mfa/USER --profile ${profile.name}`,
    );
  }
  const answer = await context.terminal.ask(`MFA device ARN for profile ${profile.name} (saved to ${profile.files.config}): `);
  return [checkSerial(answer, 'typed on the terminal'), true];
}

// Everything that can be checked is checked before the one network call.
export async function startSession(context: AppContext, profile: ResolvedProfile, request: SessionRequest): Promise<StartedSession> {
  const [serial, serialWasAsked] = await chooseSerial(context, profile, request.serial);
  // The code is never logged; it is not registered as a secret either, as masking six digits would also mask
  // them inside account ids and serials.
  const target = targetFor(context.env, 'STS', profile.stsRegion, debugFor(context));
  const ask = { profile: profile.name, given: request.code, mfaProcess: profileValue(profile, 'mfa_process') };
  const keys = await withMfaCode(context, ask, (code) =>
    getSessionToken(target, profile.longTerm.keys, { serial, code, durationSeconds: request.durationSeconds }),
  );
  return { keys, serial, serialWasAsked };
}

// A device typed on the terminal is remembered the careful way: one line added to the config file.
export async function rememberSerial(profile: ResolvedProfile, serial: string): Promise<void> {
  const target = resolveTarget(profile.files.config);
  await withFileLock(target, async () => {
    const config = loadIniFile(profile.files.config);
    writeFileAtomic(profile.files.config, joinLines(setConfigValue(config.doc, profile.name, 'mfa_serial', serial)));
  });
}
