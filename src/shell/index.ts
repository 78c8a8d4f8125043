import { basename } from 'node:path';
import * as fish from './fish.js';
import * as posix from './posix.js';
import { rfc3339 } from '../time.js';

export const SHELL_NAMES = [`bash`, `zsh`, `fish`, `sh`] as const;
export type ShellName = (typeof SHELL_NAMES)[number];

export interface EnvSession {
  profile: string;
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  expiration: Date;
  region?: string;
}

interface Emitter {
  set(name: string, value: string): string;
  unset(name: string): string;
  ifSet(name: string, lines: string[]): string;
}

function emitterFor(shell: ShellName): Emitter {
  return shell === `fish` ? fish : posix;
}

export function shellFromEnv(shellVar: string | undefined): ShellName {
  const name = basename(shellVar ?? ``);
  return name === `bash` || name === `zsh` || name === `fish` ? name : `sh`;
}

// The AWS SDK for JavaScript v3 ignores environment keys while a profile is named; botocore prefers
// AWS_SECURITY_TOKEN over AWS_SESSION_TOKEN. Both would shadow the new session.
export const SHADOWING = [`AWS_PROFILE`, `AWS_DEFAULT_PROFILE`, `AWS_SECURITY_TOKEN`];
const SESSION = [
  `AWS_ACCESS_KEY_ID`,
  `AWS_SECRET_ACCESS_KEY`,
  `AWS_SESSION_TOKEN`,
  `AWS_SESSION_EXPIRATION`,
  `AWS_CREDENTIAL_EXPIRATION`,
  `AWS2FA_PROFILE`,
  `AWS2FA_EXPIRES`,
];
const REGION = [`AWS_REGION`, `AWS_DEFAULT_REGION`];
// Set only when the login set the region, so that logout never removes a region the user chose.
export const REGION_MARKER = `AWS2FA_REGION`;
export const REGION_VARIABLES = [...REGION, REGION_MARKER];

function dropRegion(e: Emitter): string[] {
  return [e.ifSet(REGION_MARKER, REGION.map(name => e.unset(name))), e.unset(REGION_MARKER)];
}

// The variables env login exports, in order: also what `aws2fa exec` gives its command.
export function sessionVariables(session: EnvSession): Record<string, string> {
  const expiration = rfc3339(session.expiration);
  const values: Record<string, string> = {
    AWS_ACCESS_KEY_ID: session.accessKeyId,
    AWS_SECRET_ACCESS_KEY: session.secretAccessKey,
    AWS_SESSION_TOKEN: session.sessionToken,
    AWS_SESSION_EXPIRATION: expiration,
    AWS_CREDENTIAL_EXPIRATION: expiration,
    AWS2FA_PROFILE: session.profile,
    AWS2FA_EXPIRES: String(Math.floor(session.expiration.getTime() / 1000)),
  };
  for (const name of session.region ? REGION_VARIABLES : []) values[name] = session.region ?? ``;
  return values;
}

export function renderEnvLogin(shell: ShellName, session: EnvSession): string {
  const e = emitterFor(shell);
  const lines = [...SHADOWING.map(name => e.unset(name)), ...Object.entries(sessionVariables(session)).map(([name, value]) => e.set(name, value))];
  // A region left by an earlier env login belongs to that profile, not to this one; the user's own stays.
  if (!session.region) lines.push(...dropRegion(e));
  return `${lines.join(`\n`)}\n`;
}

export function renderEnvLogout(shell: ShellName): string {
  const e = emitterFor(shell);
  return `${[...SESSION.map(name => e.unset(name)), ...dropRegion(e)].join(`\n`)}\n`;
}
