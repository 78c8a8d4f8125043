import { assumeRole } from '../aws/assume-role.js';
import { shortKey } from '../aws/failures.js';
import type { AppContext } from '../context.js';
import { debugFor } from '../debug.js';
import { HeldSessionError } from '../errors.js';
import { defaultSessionName } from '../profiles/chain.js';
import type { HeldSession } from '../profiles/held.js';
import type { ResolvedProfile } from '../profiles/resolve.js';
import { keysIn, type SessionKeys } from '../store/credentials.js';
import { findSection, optionValue } from '../store/ini.js';
import { secondsUntil } from '../time.js';
import { withMfaCode } from './code.js';
import { chooseSerial, rememberSerial, startSession, stsTarget } from './session.js';

// A root session is used only with this much left; less would expire under the commands the user runs next.
export const MIN_SECONDS_LEFT = 300;
// AWS's limit for a role assumed with temporary credentials (role chaining), GetSessionToken sessions included.
export const CHAINED_ROLE_LIMIT = 3600;
export const DEFAULT_ROOT_SECONDS = 43200;
export const DEFAULT_ROLE_SECONDS = 3600;
// Roles between the root and the named one only sign the next call.
const INTERMEDIATE_ROLE_SECONDS = 900;

export type RootSource = 'held' | 'file' | 'new';

export interface RootSession {
  keys: SessionKeys;
  source: RootSource;
  /** a device asked for on the terminal: saved by the caller once everything worked */
  askedSerial?: string;
}

export interface RootRequest {
  code?: string | undefined;
  serial?: string | undefined;
  held?: HeldSession | undefined;
  /** only the held session: no code, no terminal */
  renew?: boolean;
  durationSeconds: number;
  /** the aws2fa command run, named in advice (default login) */
  command?: string | undefined;
}

function lastsEnough(keys: SessionKeys, now: Date): boolean {
  return secondsUntil(keys.expiration, now) >= MIN_SECONDS_LEFT;
}

// The root's file-mode session, when aws2fa wrote one (its long-term keys are in the backup section).
export function fileModeSession(profile: ResolvedProfile): SessionKeys | undefined {
  if (profile.longTerm.from !== 'backup') return undefined;
  const section = findSection(profile.credentials.doc, profile.root);
  const keys = keysIn(section);
  const sessionToken = optionValue(section, 'aws_session_token');
  const expiration = new Date(optionValue(section, 'expiration') ?? '');
  if (!keys || !sessionToken || Number.isNaN(expiration.getTime())) return undefined;
  return { ...keys, sessionToken, expiration };
}

function heldFor(profile: ResolvedProfile, held: HeldSession | undefined): SessionKeys | undefined {
  return held && held.profile === profile.root && held.credentials === profile.files.credentials ? held.keys : undefined;
}

// Where the root's MFA session comes from, first that lasts 5 more minutes: held by this shell, the root's file-mode
// session, a new one with a code. A CODE given always makes a new one: the user asked for it.
export async function rootSessionFor(context: AppContext, profile: ResolvedProfile, request: RootRequest): Promise<RootSession> {
  const now = context.now();
  const debug = debugFor(context);
  if (request.code === undefined) {
    const held = heldFor(profile, request.held);
    const inFile = request.renew ? undefined : fileModeSession(profile);
    debug.secret(held?.secretAccessKey, held?.sessionToken, inFile?.secretAccessKey, inFile?.sessionToken);
    if (held && lastsEnough(held, now)) {
      debug(`root session of ${profile.root}: the one this shell holds, key ${shortKey(held.accessKeyId)}`);
      return { keys: held, source: 'held' };
    }
    if (inFile && lastsEnough(inFile, now)) {
      debug(`root session of ${profile.root}: its file-mode session, key ${shortKey(inFile.accessKeyId)}`);
      return { keys: inFile, source: 'file' };
    }
  }
  if (request.renew) {
    throw new HeldSessionError(
      `cannot renew ${profile.name}: this shell holds no session of ${profile.root} with ${MIN_SECONDS_LEFT / 60} minutes left; run aws2fa env login ${profile.name}`,
    );
  }
  const started = await startSession(context, profile, { code: request.code, serial: request.serial, durationSeconds: request.durationSeconds, command: request.command });
  return { keys: started.keys, source: 'new', ...(started.serialWasAsked ? { askedSerial: started.serial } : {}) };
}

function sessionNameFor(profile: ResolvedProfile, hopSessionName: string | undefined, serial: string | undefined): string {
  return hopSessionName ?? defaultSessionName(serial ?? profile.serial);
}

// Each role of the chain assumed with the session before it, from the root's session to the named profile.
export async function assumeChain(context: AppContext, profile: ResolvedProfile, root: SessionKeys, finalSeconds: number, serial?: string): Promise<SessionKeys> {
  let keys = root;
  for (const [index, hop] of profile.hops.entries()) {
    const last = index === profile.hops.length - 1;
    keys = await assumeRole(stsTarget(context, profile), keys, {
      profile: hop.profile,
      roleArn: hop.roleArn,
      sessionName: sessionNameFor(profile, hop.roleSessionName, serial),
      durationSeconds: last ? finalSeconds : INTERMEDIATE_ROLE_SECONDS,
      externalId: hop.externalId,
    });
  }
  return keys;
}

// One role asked for more than an hour: AssumeRole straight from the long-term keys, the MFA in the call itself.
// No root session is made (AWS would cap a role assumed from it at one hour).
export async function assumeDirect(context: AppContext, profile: ResolvedProfile, request: { code?: string | undefined; serial?: string | undefined; command?: string | undefined }, seconds: number): Promise<SessionKeys> {
  const hop = profile.hops[0]!;
  const [serial, serialWasAsked] = await chooseSerial(context, profile, request.serial);
  const target = stsTarget(context, profile);
  const keys = await withMfaCode(context, { profile: profile.name, given: request.code, mfaProcess: profile.mfaProcess, command: request.command, device: { profile: profile.root, serial } }, (code) =>
    assumeRole(target, profile.longTerm.keys, {
      profile: hop.profile,
      roleArn: hop.roleArn,
      sessionName: sessionNameFor(profile, hop.roleSessionName, serial),
      durationSeconds: seconds,
      externalId: hop.externalId,
      mfa: { serial, code },
    }),
  );
  if (serialWasAsked) await rememberSerial(profile, serial);
  return keys;
}
