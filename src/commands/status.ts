import { Command, Option } from 'clipanion';
import { FolderCommand } from './base.js';
import { profileName } from '../profiles/resolve.js';
import { backupSectionFor, holdsSession, keysIn, profileNames, requireProfile } from '../store/credentials.js';
import { findSection, optionValue, type IniDocument } from '../store/ini.js';
import { resolveAwsFiles } from '../store/paths.js';
import { loadIniFile } from '../store/read.js';
import { formatTimeLeft, rfc3339, secondsUntil } from '../time.js';

type State = 'long-term' | 'session' | 'expired' | 'no-keys';

interface ProfileStatus {
  name: string;
  state: State;
  managedByAws2fa: boolean; // a [NAME::source-profile] backup exists
  expiration: string | null;
  secondsLeft: number | null;
}

interface ShellStatus {
  profile: string;
  state: 'session' | 'expired';
  expiration: string;
  secondsLeft: number;
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
  return { name, state, managedByAws2fa, expiration: known ? rfc3339(known) : null, secondsLeft: state === 'long-term' ? null : secondsLeft };
}

function shellStatus(env: Record<string, string | undefined>, now: Date): ShellStatus | null {
  const expires = Number(env.AWS2FA_EXPIRES);
  if (!env.AWS2FA_PROFILE || !Number.isFinite(expires) || !env.AWS_SESSION_TOKEN) return null;
  const expiration = new Date(expires * 1000);
  const secondsLeft = secondsUntil(expiration, now);
  return { profile: env.AWS2FA_PROFILE, state: secondsLeft > 0 ? 'session' : 'expired', expiration: rfc3339(expiration), secondsLeft };
}

function describeState(status: ProfileStatus): string {
  if (status.state === 'session' && !status.managedByAws2fa) return 'session (not aws2fa, no backup)';
  return status.state;
}

export class StatusCommand extends FolderCommand {
  static override paths = [[`status`]];

  static override usage = Command.Usage({
    description: `show which profiles are logged in and for how long`,
    details: `
      Lists every profile of the credentials file as \`long-term\`, \`session\` (with its expiry and the time
      left) or \`expired\`, and the env-mode session of the current shell, if any. Secrets are never shown.
      With PROFILE, only that profile. \`--json\` prints the same as JSON for scripts.
    `,
    examples: [
      [`Show every profile`, `$0 status`],
      [`Show one profile as JSON`, `$0 status prod --json`],
    ],
  });

  profile = Option.String({ required: false, name: 'PROFILE' });
  json = Option.Boolean('--json', false, { description: 'Print JSON' });

  async execute(): Promise<number> {
    const { env, home } = this.context;
    const files = resolveAwsFiles(this, env, home);
    const credentials = loadIniFile(files.credentials);
    const now = this.context.now();
    if (this.profile !== undefined) requireProfile(credentials.doc, profileName(this, env), files.credentials, credentials.exists);
    const names = this.profile !== undefined ? [profileName(this, env)] : profileNames(credentials.doc);
    const profiles = names.map((name) => profileStatus(credentials.doc, name, now));
    const shell = shellStatus(env, now);
    if (this.json) {
      this.context.stdout.write(`${JSON.stringify({ credentialsFile: files.credentials, profiles, shell }, null, 2)}\n`);
      return 0;
    }
    this.context.stdout.write(this.table(files.credentials, credentials.exists, profiles, shell));
    return 0;
  }

  private table(path: string, exists: boolean, profiles: ProfileStatus[], shell: ShellStatus | null): string {
    const rows = [['PROFILE', 'STATE', 'EXPIRES', 'LEFT']];
    for (const status of profiles) {
      const left = status.secondsLeft === null ? '' : formatTimeLeft(status.secondsLeft);
      rows.push([status.name, describeState(status), status.expiration ?? '', left]);
    }
    const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
    const lines = rows.map((row) => row.map((cell, column) => cell.padEnd(widths[column]!)).join('  ').trimEnd());
    const head = exists ? `${path}` : `${path} (does not exist)`;
    const shellLine = shell
      ? `this shell: ${shell.profile} ${shell.state === 'session' ? `env session until ${shell.expiration} (${formatTimeLeft(shell.secondsLeft)} left)` : `env session expired at ${shell.expiration}`}`
      : `this shell: no env session`;
    return `${head}\n${profiles.length > 0 ? lines.join('\n') : '(no profiles)'}\n${shellLine}\n`;
  }
}
