import { Command, type Usage } from 'clipanion';
import { restoreNote, sessionSummary, warnIfShared } from './messages.js';
import { SessionCommand } from './base.js';
import { ECR_INCOMPLETE_STATUS } from '../errors.js';
import { loneCodeAsCode } from '../mfa/code.js';
import { ecrRequest, loginRegistries } from '../mfa/ecr-registries.js';
import { writeSession } from '../mfa/file-mode.js';
import { resolveProfile } from '../mfa/profile.js';
import { rememberSerial, startSession } from '../mfa/session.js';

export class LoginCommand extends SessionCommand {
  static override paths = [[`login`], [`mfa`, `login`]];

  static override usage: Usage | undefined = Command.Usage({
    description: `log a profile in with an MFA code (file mode: every terminal gets the session)`,
    details: `
      Calls STS GetSessionToken with the profile's long-term keys and the 6-digit code from the MFA device, and
      writes the session into \`[PROFILE]\` of the credentials file, so that the AWS CLI and every SDK use it.
      The long-term keys are kept in \`[PROFILE::source-profile]\` until \`aws2fa logout\`; nothing else in
      the file changes. PROFILE defaults to \`$AWS_PROFILE\`, else \`default\`. Without CODE, it is asked for
      on the terminal. \`aws2fa PROFILE CODE\` and \`aws2fa mfa login PROFILE CODE\` do the same.

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
      [`Use the files in ~/.aws-acme/`, `$0 login prod 123456 --name acme`],
      [`Also log docker in to ECR in the profile's region and in us-east-1`, `$0 login prod 123456 --ecr --ecr-region us-east-1`],
    ],
  });

  async execute(): Promise<number> {
    const words = loneCodeAsCode(this.context, this);
    const profile = await resolveProfile(this.context, { ...this, profile: words.profile });
    const ecr = await ecrRequest(this, this.context, profile);
    const started = await startSession(this.context, profile, { code: words.code, serial: this.serial, durationSeconds: this.duration });
    const written = await writeSession(profile.files.credentials, profile.name, started.keys);
    if (started.serialWasAsked) await rememberSerial(profile, started.serial);
    this.context.stdout.write(`${sessionSummary(`Logged in ${profile.name}`, started.keys.expiration, this.context.now())}\n${restoreNote(profile.name)}\n`);
    warnIfShared(this.context, written);
    if (ecr && !(await loginRegistries(this.context, started.keys, ecr))) return ECR_INCOMPLETE_STATUS;
    return 0;
  }
}

export class DefaultLoginCommand extends LoginCommand {
  static override paths = [Command.Default];
  static override usage = undefined;
}
