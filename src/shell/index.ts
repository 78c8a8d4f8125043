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
  /** the root session behind a role session: AWS2FA_ROOT_PROFILE / AWS2FA_ROOT_EXPIRES (unset without) */
  root?: { profile: string; expiration: Date };
  /** with the hook: the root session the shell holds, in a variable that is not exported */
  held?: string;
}

interface Emitter {
  set(name: string, value: string): string;
  setUnexported(name: string, value: string): string;
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
const SHADOWING = [`AWS_PROFILE`, `AWS_DEFAULT_PROFILE`, `AWS_SECURITY_TOKEN`];
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
const ROOT = [`AWS2FA_ROOT_PROFILE`, `AWS2FA_ROOT_EXPIRES`];
const HELD = `__aws2fa_held`;
// Set only when the login set the region, so that logout never removes a region the user chose.
const REGION_MARKER = `AWS2FA_REGION`;

function dropRegion(e: Emitter): string[] {
  return [e.ifSet(REGION_MARKER, REGION.map(name => e.unset(name))), e.unset(REGION_MARKER)];
}

export function renderEnvLogin(shell: ShellName, session: EnvSession): string {
  const e = emitterFor(shell);
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
  const lines = [...SHADOWING.map(name => e.unset(name)), ...SESSION.map(name => e.set(name, values[name] ?? ``))];
  if (session.root) {
    lines.push(e.set(`AWS2FA_ROOT_PROFILE`, session.root.profile), e.set(`AWS2FA_ROOT_EXPIRES`, String(Math.floor(session.root.expiration.getTime() / 1000))));
  } else {
    lines.push(...ROOT.map(name => e.unset(name)));
  }
  if (session.held !== undefined) lines.push(e.setUnexported(HELD, session.held));
  if (session.region) {
    lines.push(...[...REGION, REGION_MARKER].map(name => e.set(name, session.region ?? ``)));
  } else {
    // A region left by an earlier env login belongs to that profile, not to this one; the user's own stays.
    lines.push(...dropRegion(e));
  }
  return `${lines.join(`\n`)}\n`;
}

export function renderEnvLogout(shell: ShellName): string {
  const e = emitterFor(shell);
  return `${[...SESSION.map(name => e.unset(name)), ...ROOT.map(name => e.unset(name)), e.unset(HELD), ...dropRegion(e)].join(`\n`)}\n`;
}
