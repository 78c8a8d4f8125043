import { Command, Option } from 'clipanion';
import { FolderCommand, profileOption } from './base.js';
import { withConfigAdvice } from '../advice.js';
import { UserError } from '../errors.js';
import { unfinishedRotations, type UnfinishedRotation } from '../keys/unfinished.js';
import { isRoleProfile, resolveChain, type ProfileFiles } from '../profiles/chain.js';
import { profileFiles, profileName } from '../profiles/resolve.js';
import { configProfileNames } from '../store/config.js';
import { backupSectionFor, holdsSession, keysIn, profileNames, requireProfile } from '../store/credentials.js';
import { findSection, optionValue, type IniDocument } from '../store/ini.js';
import { resolveAwsFiles } from '../store/paths.js';
import { loadIniFile } from '../store/read.js';
import { formatTimeLeft, rfc3339, secondsUntil } from '../time.js';
import { jsonForTerminal, printable } from '../printable.js';

type State = 'long-term' | 'session' | 'expired' | 'no-keys' | 'invalid';

interface ProfileStatus {
  name: string;
  state: State;
  managedByAws2fa: boolean; // a [NAME::source-profile] backup exists
  expiration: string | null;
  secondsLeft: number | null;
  /** role profiles: the root whose state, expiry and time left are shown; problem: why the chain cannot be used */
  role: { root: string | null; problem: string | null } | null;
}

interface ShellStatus {
  profile: string;
  state: 'session' | 'expired';
  expiration: string;
  secondsLeft: number;
  /** the root session behind a role session (AWS2FA_ROOT_*) */
  root: { profile: string; expiration: string; secondsLeft: number } | null;
}

function profileStatus(doc: IniDocument, name: string, now: Date): ProfileStatus {
  const section = findSection(doc, name);
  const managedByAws2fa = keysIn(findSection(doc, backupSectionFor(name))) !== undefined;
  const expiresText = optionValue(section, 'expiration');
  const expires = expiresText ? new Date(expiresText) : undefined;
  const known = expires && !Number.isNaN(expires.getTime()) ? expires : undefined;
  const secondsLeft = known ? secondsUntil(known, now) : null;
  let state: State = 'no-keys';
  if (holdsSession(section)) state = secondsLeft !== null && secondsLeft <= 0 ? 'expired' : 'session';
  else if (keysIn(section)) state = 'long-term';
  return { name, state, managedByAws2fa, expiration: known ? rfc3339(known) : null, secondsLeft: state === 'long-term' ? null : secondsLeft, role: null };
}

// A role profile has the state of its root: that is the session the AWS CLI and the SDKs assume it with.
function roleStatus(files: ProfileFiles, name: string, now: Date): ProfileStatus {
  try {
    const { root } = resolveChain(files, name);
    return { ...profileStatus(files.credentials, root, now), name, role: { root, problem: null } };
  } catch (error) {
    if (!(error instanceof UserError)) throw error;
    return { name, state: 'invalid', managedByAws2fa: false, expiration: null, secondsLeft: null, role: { root: null, problem: error.message } };
  }
}

function shellStatus(env: Record<string, string | undefined>, now: Date): ShellStatus | null {
  const expires = Number(env.AWS2FA_EXPIRES);
  if (!env.AWS2FA_PROFILE || !Number.isFinite(expires) || !env.AWS_SESSION_TOKEN) return null;
  const expiration = new Date(expires * 1000);
  const secondsLeft = secondsUntil(expiration, now);
  const rootExpires = Number(env.AWS2FA_ROOT_EXPIRES);
  const rootExpiration = new Date(rootExpires * 1000);
  const root =
    env.AWS2FA_ROOT_PROFILE && env.AWS2FA_ROOT_EXPIRES && Number.isFinite(rootExpires)
      ? { profile: env.AWS2FA_ROOT_PROFILE, expiration: rfc3339(rootExpiration), secondsLeft: secondsUntil(rootExpiration, now) }
      : null;
  return { profile: env.AWS2FA_PROFILE, state: secondsLeft > 0 ? 'session' : 'expired', expiration: rfc3339(expiration), secondsLeft, root };
}

function describeState(status: ProfileStatus): string {
  if (status.role) return status.role.root === null ? `role, invalid (aws2fa login ${status.name} says why)` : `role via ${status.role.root}: ${describeState({ ...status, role: null })}`;
  if (status.state === 'session' && !status.managedByAws2fa) return 'session (not aws2fa, no backup)';
  return status.state;
}

function describeShell(shell: ShellStatus | null): string {
  if (!shell) return `this shell: no env session`;
  const own =
    shell.state === 'session'
      ? `${shell.profile} env session until ${shell.expiration} (${formatTimeLeft(shell.secondsLeft)} left)`
      : `${shell.profile} env session expired at ${shell.expiration}`;
  const root = shell.root ? `, role via ${shell.root.profile} (${shell.root.secondsLeft > 0 ? `${formatTimeLeft(shell.root.secondsLeft)} left` : 'expired'})` : '';
  return `this shell: ${own}${root}`;
}

function rotationLines(rotations: UnfinishedRotation[]): string {
  return rotations.map((rotation) => `${rotation.message}\n`).join('');
}

export class StatusCommand extends FolderCommand {
  static override paths = [[`status`]];

  static override usage = Command.Usage({
    description: `show which profiles are logged in and for how long`,
    details: `
      Lists every profile of the credentials file as \`long-term\`, \`session\` (with its expiry and the time
      left) or \`expired\`, the role profiles of the config file as \`role via ROOT\` with the state of their root,
      and the env-mode session of the current shell, if any (for a role, with its root session's time left).
      Secrets are never shown. With PROFILE, only that profile. \`--json\` prints the same as JSON for scripts.
    `,
    examples: [
      [`Show every profile`, `$0 status`],
      [`Show one profile as JSON`, `$0 status prod --json`],
    ],
  });

  profile = Option.String({ required: false, name: 'PROFILE' });
  profileFlag = profileOption();
  json = Option.Boolean('--json', false, { description: 'Print JSON' });

  async execute(): Promise<number> {
    const { env, home } = this.context;
    const files = resolveAwsFiles(this, env, home);
    const credentials = loadIniFile(files.credentials);
    const config = loadIniFile(files.config);
    const both = profileFiles(files, credentials, config);
    const now = this.context.now();
    const named = this.profile !== undefined ? profileName(this, env) : undefined;
    if (named !== undefined && !isRoleProfile(both, named)) withConfigAdvice(named, files, () => requireProfile(credentials.doc, named, files.credentials, credentials.exists));
    const roles = configProfileNames(config.doc).filter((name) => isRoleProfile(both, name));
    const names = named !== undefined ? [named] : [...new Set([...profileNames(credentials.doc), ...roles])];
    const profiles = names.map((name) => (isRoleProfile(both, name) ? roleStatus(both, name, now) : profileStatus(credentials.doc, name, now)));
    const shell = shellStatus(env, now);
    // Rotations left unfinished (src/keys/): from the files and their records only, no network call; in --json only
    // when there is one.
    const root = named !== undefined && isRoleProfile(both, named) ? roleStatus(both, named, now).role?.root ?? named : named;
    const rotations = unfinishedRotations(files.credentials, credentials.doc, this, root ?? undefined);
    if (this.json) {
      this.context.stdout.write(`${jsonForTerminal({ credentialsFile: files.credentials, profiles, shell, ...(rotations.length > 0 ? { unfinishedRotations: rotations } : {}) })}\n`);
      return 0;
    }
    this.context.stdout.write(this.table(files.credentials, credentials.exists, profiles, shell) + rotationLines(rotations));
    return 0;
  }

  private table(path: string, exists: boolean, profiles: ProfileStatus[], shell: ShellStatus | null): string {
    const rows = [['PROFILE', 'STATE', 'EXPIRES', 'LEFT']];
    for (const status of profiles) {
      const left = status.secondsLeft === null ? '' : formatTimeLeft(status.secondsLeft);
      // Section names, roots and the reasons a chain is broken come from the files: shown printable.
      rows.push([printable(status.name), printable(describeState(status)), status.expiration ?? '', left]);
    }
    const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
    const lines = rows.map((row) => row.map((cell, column) => cell.padEnd(widths[column]!)).join('  ').trimEnd());
    const head = printable(exists ? `${path}` : `${path} (does not exist)`);
    return `${head}\n${profiles.length > 0 ? lines.join('\n') : '(no profiles)'}\n${printable(describeShell(shell))}\n`;
  }
}
