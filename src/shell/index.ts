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
  // The root's session, for the shell hook to hold: set as a shell variable that is never exported.
  held?: string;
  // The root session behind a role session (non-secret: for the prompt, status and renewal).
  root?: { profile: string; expiration: Date };
  // AWS2FA_FILES: the files the session was made from, when not the standard ones (env login only).
  files?: string;
}

interface Emitter {
  set(name: string, value: string): string;
  copy(name: string, from: string): string;
  unset(name: string): string;
  ifSet(name: string, lines: string[]): string;
  ifDefined(name: string, lines: string[], otherwise?: string[]): string;
  ifUnset(name: string, lines: string[]): string;
  ifEqual(name: string, other: string, lines: string[]): string;
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
export const ROOT_VARIABLES = [`AWS2FA_ROOT_PROFILE`, `AWS2FA_ROOT_EXPIRES`];
const ROOT = ROOT_VARIABLES;
const HELD = `__aws2fa_held`;
// The files a session was made from (env login; src/profiles/session-files.ts): another session's are not its.
export const FILES_VARIABLE = `AWS2FA_FILES`;
const FILES = FILES_VARIABLE;
const REGION = [`AWS_REGION`, `AWS_DEFAULT_REGION`];
// Set only when the login set the region, so that a login without one removes only a region a login set.
export const REGION_MARKER = `AWS2FA_REGION`;
export const REGION_VARIABLES = [...REGION, REGION_MARKER];
// What the user had before the first env login, for env logout to put back (unset stays unset). Saved once:
// a second env login finds SAVED set and keeps the first saving.
const SAVED_MARKER = `AWS2FA_SAVED`;
const RESTORED = [`AWS_PROFILE`, `AWS_DEFAULT_PROFILE`, ...REGION];
const savedName = (name: string) => `AWS2FA_SAVED_${name}`;

const unixSeconds = (date: Date) => String(Math.floor(date.getTime() / 1000));

function saveOnce(e: Emitter): string {
  const saves = RESTORED.map(name => {
    const save = e.ifDefined(name, [e.copy(savedName(name), name)]);
    // A region an older aws2fa's env login set (marker without a saving) is not the user's.
    return REGION.includes(name) ? e.ifUnset(REGION_MARKER, [save]) : save;
  });
  return e.ifUnset(SAVED_MARKER, [e.set(SAVED_MARKER, `1`), ...saves]);
}

function restore(e: Emitter, names: string[]): string[] {
  return names.map(name => e.ifDefined(savedName(name), [e.copy(name, savedName(name))], [e.unset(name)]));
}

function restoreAll(e: Emitter): string[] {
  return [
    // Without a saving (a session of an older aws2fa), only what a login set goes.
    e.ifSet(SAVED_MARKER, restore(e, RESTORED)),
    e.ifUnset(SAVED_MARKER, [e.ifSet(REGION_MARKER, REGION.map(name => e.unset(name)))]),
    ...[SAVED_MARKER, ...RESTORED.map(savedName), REGION_MARKER].map(name => e.unset(name)),
  ];
}

function holdLine(shell: ShellName, held: string): string {
  return shell === `fish` ? fish.setUnexported(HELD, held) : posix.setUnexported(HELD, held, shell === `zsh`);
}

// The variables env login exports: also what `aws2fa exec` gives its command.
export function sessionVariables(session: EnvSession): Record<string, string> {
  const expiration = rfc3339(session.expiration);
  const values: Record<string, string> = {
    AWS_ACCESS_KEY_ID: session.accessKeyId,
    AWS_SECRET_ACCESS_KEY: session.secretAccessKey,
    AWS_SESSION_TOKEN: session.sessionToken,
    AWS_SESSION_EXPIRATION: expiration,
    AWS_CREDENTIAL_EXPIRATION: expiration,
    AWS2FA_PROFILE: session.profile,
    AWS2FA_EXPIRES: unixSeconds(session.expiration),
  };
  if (session.root) {
    values.AWS2FA_ROOT_PROFILE = session.root.profile;
    values.AWS2FA_ROOT_EXPIRES = unixSeconds(session.root.expiration);
  }
  for (const name of session.region ? REGION_VARIABLES : []) values[name] = session.region ?? ``;
  return values;
}

export function renderEnvLogin(shell: ShellName, session: EnvSession): string {
  const e = emitterFor(shell);
  const values = sessionVariables(session);
  const lines = [saveOnce(e), ...SHADOWING.map(name => e.unset(name)), ...SESSION.map(name => e.set(name, values[name] ?? ``))];
  if (session.region) {
    lines.push(...REGION_VARIABLES.map(name => e.set(name, values[name] ?? ``)));
  } else {
    // A region left by an earlier env login (still the marker's value) belongs to that profile, not to this one:
    // the user's from before comes back. One the user set since then stays.
    const restoreOurs = REGION.map(name => e.ifEqual(name, REGION_MARKER, restore(e, [name])));
    lines.push(e.ifSet(REGION_MARKER, restoreOurs), e.unset(REGION_MARKER));
  }
  lines.push(...ROOT.map(name => (session.root ? e.set(name, values[name] ?? ``) : e.unset(name))));
  lines.push(session.files !== undefined ? e.set(FILES, session.files) : e.unset(FILES));
  if (session.held !== undefined) lines.push(holdLine(shell, session.held));
  return `${lines.join(`\n`)}\n`;
}

export function renderEnvLogout(shell: ShellName): string {
  const e = emitterFor(shell);
  return `${[...SESSION.map(name => e.unset(name)), ...ROOT.map(name => e.unset(name)), e.unset(FILES), e.unset(HELD), ...restoreAll(e)].join(`\n`)}\n`;
}
