import { getCallerIdentity, getFederationToken, FederationDeniedError } from '../aws/federation-token.js';
import type { AppContext } from '../context.js';
import { debugFor } from '../debug.js';
import { AwsRequestError } from '../errors.js';
import { DEFAULT_ROLE_SECONDS, MIN_SECONDS_LEFT } from '../mfa/roles.js';
import { stsTarget } from '../mfa/session.js';
import { sessionForShell } from '../mfa/shell-session.js';
import type { ResolvedProfile } from '../profiles/resolve.js';
import type { SessionKeys } from '../store/credentials.js';
import { secondsUntil } from '../time.js';
import { accountSigninPage } from './endpoints.js';

// The session the console is signed in with, and what getSigninToken may be told about it.

export interface ConsoleSession {
  keys: SessionKeys;
  /** only for a role assumed with long-term keys: AWS refuses SessionDuration for one assumed with a session */
  sessionDuration?: number | undefined;
  /** how it was made, for the message: `role, via base`, `this shell's session`, `federated user alice` */
  how: string;
}

export interface ConsoleRequest {
  code?: string | undefined;
  serial?: string | undefined;
  durationSeconds?: number | undefined;
  /** --directory or --name given: the shell's env session may be of other files */
  otherFiles: boolean;
}

// AWS's longest console session.
const LONGEST_CONSOLE_SECONDS = 43200;
const DEFAULT_FEDERATION_SECONDS = 3600;
// Everything the user may do: a session policy only narrows, so this leaves the user's own policies in charge.
export const ALLOW_ALL_POLICY = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] });

const SESSION_KEY_ID = /^ASIA[A-Z0-9]{16}$/;
const PLAIN = /^[\x21-\x7e]{1,65536}$/;
const SECONDS = /^[1-9]\d{0,11}$/;

// The role session this shell already has (env login ROLE): AWS2FA_PROFILE names the profile and AWS2FA_EXPIRES
// leaves 5 minutes. Values from the environment are checked like an STS answer.
export function shellSessionOf(env: Record<string, string | undefined>, profile: string, now: Date): SessionKeys | undefined {
  const { AWS2FA_PROFILE, AWS2FA_EXPIRES, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN } = env;
  if (AWS2FA_PROFILE !== profile || !SECONDS.test(AWS2FA_EXPIRES ?? '')) return undefined;
  if (!SESSION_KEY_ID.test(AWS_ACCESS_KEY_ID ?? '') || !PLAIN.test(AWS_SECRET_ACCESS_KEY ?? '') || !PLAIN.test(AWS_SESSION_TOKEN ?? '')) return undefined;
  const expiration = new Date(Number(AWS2FA_EXPIRES) * 1000);
  if (secondsUntil(expiration, now) < MIN_SECONDS_LEFT) return undefined;
  return { accessKeyId: AWS_ACCESS_KEY_ID!, secretAccessKey: AWS_SECRET_ACCESS_KEY!, sessionToken: AWS_SESSION_TOKEN!, expiration };
}

// A role profile: this shell's session of it, else assumed as env login would (held root session, the root's
// file-mode session, a new code; more than 1 h asked: straight from the long-term keys with the code).
async function roleSession(context: AppContext, profile: ResolvedProfile, request: ConsoleRequest): Promise<ConsoleSession> {
  const debug = debugFor(context);
  // A CODE or a --duration asks for a new session; so do other files than the shell's.
  const asksNew = request.code !== undefined || request.durationSeconds !== undefined || request.otherFiles;
  const inShell = asksNew ? undefined : shellSessionOf(context.env, profile.name, context.now());
  if (inShell) {
    debug.secret(inShell.secretAccessKey, inShell.sessionToken);
    debug(`console: this shell's session of ${profile.name}, until AWS2FA_EXPIRES`);
    return { keys: inShell, how: `role, this shell's session` };
  }
  const session = await sessionForShell(context, profile, { code: request.code, serial: request.serial, durationSeconds: request.durationSeconds, command: `console` });
  // sessionForShell names the root session behind a role it assumed with a session; one assumed straight with
  // the long-term keys (more than 1 h asked) has none, and only that one may have a console session of its own.
  if (session.root) return { keys: session.keys, how: `role, via ${session.root.profile}` };
  const asked = request.durationSeconds ?? profile.durationSeconds ?? DEFAULT_ROLE_SECONDS;
  return { keys: session.keys, sessionDuration: Math.min(asked, LONGEST_CONSOLE_SECONDS), how: `role, via ${profile.root}'s keys` };
}

// `arn:aws:iam::123456789012:user/team/alice` → alice; GetFederationToken's Name is 2–32 of [\w+=,.@-].
export function federatedUserName(arn: string): string {
  const last = arn.split(':').at(-1) ?? '';
  const name = (last.split('/').at(-1) ?? '').replace(/[^\w+=,.@-]/g, '').slice(0, 32);
  return name.length >= 2 ? name : 'aws2fa';
}

// A plain profile: its long-term keys make a federation session (a GetSessionToken session cannot sign in).
async function federationSession(context: AppContext, profile: ResolvedProfile, request: ConsoleRequest): Promise<ConsoleSession> {
  if (request.code !== undefined) {
    context.stderr.write(`aws2fa: note: ${profile.name} has long-term keys: its console session comes from GetFederationToken, which takes no MFA code; the code was not used\n`);
  }
  const target = stsTarget(context, profile);
  const caller = await getCallerIdentity(target, profile.longTerm.keys);
  const name = federatedUserName(caller.arn);
  try {
    const keys = await getFederationToken(target, profile.longTerm.keys, { name, policy: ALLOW_ALL_POLICY, durationSeconds: request.durationSeconds ?? DEFAULT_FEDERATION_SECONDS });
    return { keys, how: `federated user ${name}` };
  } catch (error) {
    if (!(error instanceof FederationDeniedError)) throw error;
    throw new AwsRequestError(
      `AWS refused GetFederationToken to ${caller.arn} (profile ${profile.name}): its policies deny it (policies that require MFA do), so its keys cannot open the console: ` +
        `use a role profile (role_arn, source_profile = ${profile.name}) with aws2fa console ROLE, or sign in with password and MFA at ${accountSigninPage(caller.account, profile.stsRegion)}`,
    );
  }
}

export function consoleSession(context: AppContext, profile: ResolvedProfile, request: ConsoleRequest): Promise<ConsoleSession> {
  return profile.hops.length > 0 ? roleSession(context, profile, request) : federationSession(context, profile, request);
}
