import { Command, Option } from 'clipanion';
import * as t from 'typanion';
import { SessionCommand } from '../base.js';
import { sessionSummary } from '../messages.js';
import { ECR_INCOMPLETE_STATUS, ScreenOutputError } from '../../errors.js';
import { loneCodeAsCode } from '../../mfa/code.js';
import { ecrRequest, loginRegistries } from '../../mfa/ecr-registries.js';
import { resolveProfile } from '../../mfa/profile.js';
import { rememberSerial, startSession } from '../../mfa/session.js';
import { renderEnvLogin, shellFromEnv, SHELL_NAMES } from '../../shell/index.js';

export class EnvLoginCommand extends SessionCommand {
  static override paths = [[`env`, `login`]];

  static override usage = Command.Usage({
    category: `Env mode (one shell only)`,
    description: `print shell code that gives only the current shell an MFA session`,
    details: `
      Calls STS GetSessionToken like \`aws2fa login\`, but writes no file: it prints \`export\` lines for
      AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN, the expiry and the profile's region, and unsets
      AWS_PROFILE, which would hide them from the SDKs. Only the shell that evaluates it gets the session; other
      terminals and file-mode sessions are untouched. Long-term keys always come from the credentials file, so
      it works again in a shell that already has a session. stdout carries only shell code; every message goes
      to stderr, and on failure stdout is empty. With the shell hook (\`aws2fa init\`), \`aws2fa env login\`
      evaluates the code by itself.

      \`--ecr\` / \`--ecr-region\` also log docker in to ECR (messages on stderr). If a region fails, the session
      code is still printed and the exit status is 3; the shell hook keeps the session and returns 3.
    `,
    examples: [
      [`Give this shell a session (bash, zsh)`, `eval "$($0 env login prod 123456)"`],
      [`The same in fish`, `$0 env login prod 123456 | source`],
      [`With the shell hook loaded`, `$0 env login prod 123456`],
      [`Also log docker in to ECR`, `$0 env login prod 123456 --ecr`],
    ],
  });

  shell = Option.String(`--shell`, { description: `Syntax of the printed code: bash, zsh, fish or sh (default: from $SHELL)`, validator: t.isEnum(SHELL_NAMES) });

  async execute(): Promise<number> {
    if (this.context.stdoutIsTerminal) throw new ScreenOutputError();
    const words = loneCodeAsCode(this.context, this);
    const profile = await resolveProfile(this.context, { ...this, profile: words.profile });
    const ecr = await ecrRequest(this, this.context, profile);
    const started = await startSession(this.context, profile, { code: words.code, serial: this.serial, durationSeconds: this.duration });
    if (started.serialWasAsked) await rememberSerial(profile, started.serial);
    const code = renderEnvLogin(this.shell ?? shellFromEnv(this.context.env.SHELL), {
      profile: profile.name,
      ...started.keys,
      ...(profile.profileRegion ? { region: profile.profileRegion } : {}),
    });
    this.context.stdout.write(code);
    this.context.stderr.write(`${sessionSummary(`This shell has a session of ${profile.name}`, started.keys.expiration, this.context.now())}\n`);
    // The session code is already out: an ECR failure must not make the hook throw the session away.
    if (ecr && !(await loginRegistries(this.context, started.keys, ecr))) return ECR_INCOMPLETE_STATUS;
    return 0;
  }
}
