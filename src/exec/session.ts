import type { AppContext } from '../context.js';
import { resolveProfile, type ProfileRequest } from '../mfa/profile.js';
import { rememberSerial, startSession, type SessionRequest } from '../mfa/session.js';
import type { EnvSession } from '../shell/index.js';

export type ExecRequest = ProfileRequest & SessionRequest;

// The session exec gives its command, from where env login would take it. The one place exec gets a session.
export async function sessionForExec(context: AppContext, request: ExecRequest): Promise<EnvSession> {
  const profile = await resolveProfile(context, request);
  const started = await startSession(context, profile, request);
  if (started.serialWasAsked) await rememberSerial(profile, started.serial);
  return { profile: profile.name, ...started.keys, ...(profile.profileRegion ? { region: profile.profileRegion } : {}) };
}
