import { Command, Option, UsageError } from 'clipanion';
import * as t from 'typanion';
import { SessionCommand } from '../base.js';
import { sessionSummary } from '../messages.js';
import { deliver } from '../../deliver.js';
import { ECR_INCOMPLETE_STATUS, ScreenOutputError } from '../../errors.js';
import { loneCodeAsCode } from '../../mfa/code.js';
import { ecrRequest, loginRegistries } from '../../mfa/ecr-registries.js';
import { sessionForShell } from '../../mfa/shell-session.js';
import { encodeHeld, takeHeldSession } from '../../profiles/held.js';
import { resolveProfile } from '../../profiles/resolve.js';
import { decodeSessionFiles, encodeSessionFiles, SESSION_FILES_VARIABLE } from '../../profiles/session-files.js';
import { renderEnvLogin, shellFromEnv, SHELL_NAMES } from '../../shell/index.js';
import { printableLines } from '../../printable.js';

// The renewal runs while the prompt waits: one try, and no longer than this.
const RENEWAL_BOUND_MS = 3_000;

const withFiles = (files: string | undefined) => (files === undefined ? {} : { files });

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

      For a role profile (\`role_arn\` and \`source_profile\` in the config file) it exports the role's session,
      assumed with the MFA session of the root profile (the one with the long-term keys), and
      AWS2FA_ROOT_PROFILE / AWS2FA_ROOT_EXPIRES. Without CODE, the root's session is taken from the shell hook
      (which holds it) or from the root's file-mode login when either has 5 minutes left: no code for any role
      while it lasts. \`--duration\` is then the role session's length (default: duration_seconds, else 1 h);
      more than 1 h is assumed straight from the long-term keys with a code, as AWS limits a role assumed from
      a session to 1 h. \`--renew\` (what the hook runs at the prompt) uses only the session the hook holds,
      the files the session was made from (AWS2FA_FILES), and gives up after 3 s.

      \`--ecr\` / \`--ecr-region\` also log docker in to ECR (messages on stderr). If a region fails, the session
      code is still printed and the exit status is 3; the shell hook keeps the session and returns 3.
    `,
    examples: [
      [`Give this shell a session (bash, zsh)`, `eval "$($0 env login prod 123456)"`],
      [`The same in fish`, `$0 env login prod 123456 | source`],
      [`With the shell hook loaded`, `$0 env login prod 123456`],
      [`A role profile, then another one with no second code (hook loaded)`, `$0 env login admin 123456 && $0 env login readonly`],
      [`Also log docker in to ECR`, `$0 env login prod 123456 --ecr`],
    ],
  });

  shell = Option.String(`--shell`, { description: `Syntax of the printed code: bash, zsh, fish or sh (default: from $SHELL)`, validator: t.isEnum(SHELL_NAMES) });
  renew = Option.Boolean(`--renew`, false, { description: `Renew only from the root session the shell hook holds; never asks for a code (the hook runs it)`, hidden: true });

  async execute(): Promise<number> {
    // Before anything else: secrets must not land on the screen, and no code is spent for that.
    if (this.context.stdoutIsTerminal) throw new ScreenOutputError();
    // The descriptor is read and closed before anything could spawn a process that inherits it.
    await takeHeldSession(this.context.env);
    const words = loneCodeAsCode(this.context, this);
    if (this.renew && words.code !== undefined) throw new UsageError(`--renew takes no CODE: it renews from the session the shell holds`);
    // The renewal before a prompt: the session's own files, and a short bound on every call.
    const context = this.renew ? { ...this.context, renewalDeadline: Date.now() + RENEWAL_BOUND_MS } : this.context;
    const files = this.renew && this.name === undefined && this.directory === undefined ? decodeSessionFiles(this.context.env[SESSION_FILES_VARIABLE]) : undefined;
    const profile = await resolveProfile(context, { ...this, profile: words.profile, files });
    const ecr = this.renew ? null : await ecrRequest(this, context, profile);
    const session = await sessionForShell(context, profile, { code: words.code, serial: this.serial, durationSeconds: this.duration, renew: this.renew, command: `env login` });
    const hook = this.context.env.AWS2FA_HOOK === `1`;
    const code = renderEnvLogin(this.shell ?? shellFromEnv(this.context.env.SHELL), {
      profile: profile.name,
      ...session.keys,
      ...(profile.profileRegion ? { region: profile.profileRegion } : {}),
      ...(session.root ? { root: session.root } : {}),
      ...(hook && session.held ? { held: encodeHeld(session.held) } : {}),
      ...withFiles(encodeSessionFiles(profile.files, this.context.home)),
    });
    await deliver(this.context.stdout, code, `the session's shell code`);
    const via = session.root ? ` (role, via ${session.root.profile})` : '';
    this.context.stderr.write(printableLines(sessionSummary(`This shell has a session of ${profile.name}${via}`, session.keys.expiration, this.context.now())));
    // The session code is already out: an ECR failure must not make the hook throw the session away.
    if (ecr && !(await loginRegistries(this.context, session.keys, ecr))) return ECR_INCOMPLETE_STATUS;
    return 0;
  }
}
