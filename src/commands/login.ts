import { Command, type Usage } from 'clipanion';
import { noteRotation, restoreNote, sessionSummary, warnIfShared } from './messages.js';
import { durationOption, SessionCommand } from './base.js';
import { oneOf } from '../cli/suggest.js';
import { BadInputError, ECR_INCOMPLETE_STATUS, UnknownProfileError } from '../errors.js';
import { loneCodeAsCode } from '../mfa/code.js';
import { ecrRequest, loginRegistries, type EcrRequest } from '../mfa/ecr-registries.js';
import { writeSession } from '../mfa/file-mode.js';
import { loginRole, roleNotes } from '../mfa/role-login.js';
import { DEFAULT_ROOT_SECONDS } from '../mfa/roles.js';
import { resolveProfile, type ResolvedProfile } from '../profiles/resolve.js';
import { rememberSerial, startSession } from '../mfa/session.js';
import { assertWritable } from '../store/atomic.js';
import { noDefaultProfile } from './default-profile.js';
import { printableLines } from '../printable.js';

export class LoginCommand extends SessionCommand {
  static override paths = [[`login`], [`mfa`, `login`]];

  static override usage: Usage | undefined = Command.Usage({
    description: `log a profile in with an MFA code (file mode: every terminal gets the session)`,
    details: `
      Calls STS GetSessionToken with the profile's long-term keys and the 6-digit code from the MFA device, and
      writes the session into \`[PROFILE]\` of the credentials file, so that the AWS CLI and every SDK use it.
      The long-term keys are kept in \`[PROFILE::source-profile]\` until \`aws2fa logout\`; nothing else in
      the file changes. PROFILE defaults to \`$AWS_PROFILE\`, else \`default\`. Without CODE, the profile's
      \`mfa_process\` prints it (a YubiKey, a password manager), else it is asked for on the terminal (3 tries).
      \`aws2fa PROFILE CODE\` and \`aws2fa mfa login PROFILE CODE\` do the same.

      For a role profile (\`role_arn\` and \`source_profile\` in the config file), it logs in the root profile (the one
      with the long-term keys), or keeps its session when it has 5 minutes left (no code needed), assumes each role
      once to check that it works, and only then writes the root's session. The AWS CLI and the SDKs then assume
      the role by themselves with that session; no role keys are written. \`--duration\` makes no role session
      here: the root's session lasts 12 h, and the AWS CLI assumes the role for its duration_seconds (else 1 h).

      With \`--ecr\`, it then logs docker in to the account's ECR registry in the profile's region, and with
      \`--ecr-region\` in more regions (\`docker login --password-stdin\`: the password goes to docker's stdin,
      never onto a command line or into aws2fa's output). \`--docker-command\` or \`$AWS2FA_DOCKER\` names another client
      (podman, finch, nerdctl). A failed region is reported and the others still run; the MFA login stands,
      and the exit status is 3.
    `,
    examples: [
      [`Log the prod profile in for 12 hours`, `$0 login prod 123456`],
      [`Log in for one hour, asking for the code`, `$0 login prod --duration 3600`],
      [`Name the MFA device (saved as mfa_serial when asked on the terminal)`, `$0 login prod 123456 --serial arn:aws:iam::123456789012:mfa/alice`],
      [`Log in the root of the role profile admin, checking that admin can be assumed`, `$0 login admin 123456`],
      [`Use the files in ~/.aws-acme/`, `$0 login prod 123456 --name acme`],
      [`Also log docker in to ECR in the profile's region and in us-east-1`, `$0 login prod 123456 --ecr --ecr-region us-east-1`],
    ],
  });

  // File mode makes no role session: the help says what --duration does for a role profile here.
  override duration = durationOption(`file`);

  async execute(): Promise<number> {
    const words = loneCodeAsCode(this.context, this);
    const profile = await resolveProfile(this.context, { ...this, profile: words.profile });
    const ecr = await ecrRequest(this, this.context, profile);
    assertWritable(profile.files.credentials); // before the code is spent on a session that could not be kept
    if (profile.hops.length > 0) return this.loginRole(profile, ecr, words.code);
    const started = await startSession(this.context, profile, { code: words.code, serial: this.serial, durationSeconds: this.duration ?? DEFAULT_ROOT_SECONDS });
    const written = await writeSession(profile.files.credentials, profile.name, started.keys);
    if (started.serialWasAsked) await rememberSerial(profile, started.serial);
    this.context.stdout.write(printableLines(sessionSummary(`Logged in ${profile.name}`, started.keys.expiration, this.context.now())));
    if (written.backupCreated) this.context.stdout.write(printableLines(restoreNote(profile.name)));
    noteRotation(this.context, profile.name, written, 'login');
    warnIfShared(this.context, written);
    if (ecr && !(await loginRegistries(this.context, started.keys, ecr))) return ECR_INCOMPLETE_STATUS;
    return 0;
  }

  private async loginRole(profile: ResolvedProfile, ecr: EcrRequest | null, code: string | undefined): Promise<number> {
    const done = await loginRole(this.context, profile, { code, serial: this.serial });
    const now = this.context.now();
    const roles = profile.hops.map((hop) => hop.roleArn).join(' then ');
    const rootLine =
      done.source === 'new'
        ? sessionSummary(`Logged in ${profile.root}`, done.root.expiration, now)
        : sessionSummary(`${profile.root} is already logged in (no code needed)`, done.root.expiration, now);
    const lines = [
      rootLine,
      `${profile.name} is a role profile: ${roles} ${profile.hops.length > 1 ? 'were' : 'was'} assumed with ${profile.root}'s MFA session to check that it works.`,
      `The AWS CLI and the SDKs assume it by themselves from source_profile with that session: aws sts get-caller-identity --profile ${profile.name}`,
      ...(done.written?.backupCreated ? [restoreNote(profile.root)] : []),
    ];
    this.context.stdout.write(printableLines(...lines));
    const notes = roleNotes(profile);
    if (this.duration !== undefined) {
      notes.push(`note: --duration has no effect here: the root's session lasts 12 h, and the AWS CLI and the SDKs assume ${profile.name} for duration_seconds (else 1 h)`);
    }
    for (const note of notes) this.context.stderr.write(printableLines(`aws2fa: ${note}`));
    if (done.written) {
      noteRotation(this.context, profile.root, done.written, 'login');
      warnIfShared(this.context, done.written);
    }
    if (ecr && !(await loginRegistries(this.context, done.role, ecr))) return ECR_INCOMPLETE_STATUS;
    return 0;
  }
}

export class DefaultLoginCommand extends LoginCommand {
  static override paths = [Command.Default];
  static override usage = undefined;

  // Set by src/cli.ts when PROFILE is a typo of a command (`aws2fa statsu`): said when there is no such profile.
  commandsNear: string[] = [];
  // Set by src/cli.ts: the general help, for a bare `aws2fa` with nothing to log in.
  generalHelp: () => string = () => ``;

  override async execute(): Promise<number> {
    // Bare `aws2fa` logs in `default`, as the original aws2fa did; someone without one is told what aws2fa does.
    if (this.profile === undefined && this.code === undefined && !this.context.env.AWS_PROFILE) {
      const missing = noDefaultProfile(this.context, this);
      if (missing) {
        this.context.stderr.write(`aws2fa: ${missing}\n\n${this.generalHelp()}`);
        return 2;
      }
    }
    try {
      return await super.execute();
    } catch (error) {
      if (error instanceof UnknownProfileError && this.commandsNear.length > 0) {
        throw new BadInputError(`no profile ${this.profile}; did you mean the command ${oneOf(this.commandsNear)}?`);
      }
      throw error;
    }
  }
}
