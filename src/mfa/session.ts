import { targetFor } from '../aws/endpoint.js';
import { getSessionToken } from '../aws/sts.js';
import type { AppContext } from '../context.js';
import { debugFor } from '../debug.js';
import { BadInputError, MissingCodeError, MissingSerialError } from '../errors.js';
import { withFileLock } from '../store/lock.js';
import { setConfigValue } from '../store/config.js';
import { joinLines } from '../store/ini.js';
import { loadIniFile } from '../store/read.js';
import { resolveTarget, writeFileAtomic } from '../store/atomic.js';
import type { SessionKeys } from '../store/credentials.js';
import type { ResolvedProfile } from './profile.js';

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

export function normaliseCode(raw: string): string {
  // Authenticator apps show "123 456"; people type what they see.
  const code = raw.replace(/\s+/g, '');
  if (!/^\d{6}$/.test(code)) {
    throw new BadInputError(`the MFA code must be the 6 digits your device shows now, not ${JSON.stringify(raw)}`);
  }
  return code;
}

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

async function chooseCode(context: AppContext, profile: ResolvedProfile, given: string | undefined): Promise<string> {
  if (given !== undefined) return normaliseCode(given);
  if (!context.terminal) {
    throw new MissingCodeError(`no MFA code given and no terminal to ask on: run aws2fa login ${profile.name} 123456 with the code from your device`);
  }
  return normaliseCode(await context.terminal.ask(`MFA code for ${profile.name}: `));
}

// Everything that can be checked is checked before the one network call.
export async function startSession(context: AppContext, profile: ResolvedProfile, request: SessionRequest): Promise<StartedSession> {
  const [serial, serialWasAsked] = await chooseSerial(context, profile, request.serial);
  const code = await chooseCode(context, profile, request.code);
  // The code is never logged; it is not registered as a secret either, as masking six digits would also mask
  // them inside account ids and serials.
  const target = targetFor(context.env, 'STS', profile.stsRegion, debugFor(context));
  const keys = await getSessionToken(target, profile.longTerm.keys, { serial, code, durationSeconds: request.durationSeconds });
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
