import { Command, Option, UsageError } from 'clipanion';
import { debugOption, durationOption, FolderCommand, profileOption, regionOption, serialOption } from './base.js';
import { commandEnvironment } from '../exec/environment.js';
import { runCommand } from '../exec/run.js';
import { sessionForExec } from '../exec/session.js';
import { witnessForTerminal } from '../exec/witness.js';

export class ExecCommand extends FolderCommand {
  static override paths = [[`exec`]];

  // The usage line's operands (Clipanion would write `<PROFILE> ...`): the command goes after `--`.
  static operands = `PROFILE [CODE] [--] [COMMAND [ARG...]]`;

  static override usage = Command.Usage({
    description: `run one command with an MFA session in its environment only`,
    details: `
      Gets a session for PROFILE the way \`aws2fa env login\` does (a CODE given after PROFILE, else the profile's
      \`mfa_process\`, else asked on the terminal) and runs COMMAND with it: the same variables env login exports
      (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN, the expiry, the profile's region), with
      AWS_PROFILE, AWS_DEFAULT_PROFILE and AWS_SECURITY_TOKEN removed, and every other variable of yours kept. No
      file is written, and neither this shell nor any other gets the session.

      The command's stdin, stdout and stderr are its own, and its exit status is aws2fa's (128+N when signal N
      ended it). SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2 and SIGWINCH sent to aws2fa are passed on to
      it; a Ctrl-C or Ctrl-\\ typed at the terminal reaches it once, from the terminal itself. Without COMMAND, it
      starts \`$SHELL\` (else /bin/sh): the session lasts as long as that shell.

      The first word is the profile, a 6-digit word right after it the code, and the rest is the command: put
      aws2fa's options before \`--\` and the command after it. From the command's first word on nothing is aws2fa's
      (a 6-digit word after \`--\` is the command's too); an option there without \`--\` is refused with the line
      to type, since only \`--\` says whose it is.

      With \`--server\`, for long jobs (a role session assumed from a session lasts at most 1 h): the command gets no
      keys in its environment; aws2fa listens on 127.0.0.1 while it runs and serves it credentials the way ECS serves
      containers (AWS_CONTAINER_CREDENTIALS_FULL_URI and AWS_CONTAINER_AUTHORIZATION_TOKEN), renewing a role's
      session from the root's MFA session, which only aws2fa holds. The AWS CLI and the SDKs use it unchanged; the
      command's AWS_SHARED_CREDENTIALS_FILE is an empty file, so long-term keys in [default] do not win. It serves
      until the root's MFA session ends, then says to run aws2fa exec again.
    `,
    examples: [
      [`Plan with terraform under prod, asking for the code`, `$0 exec prod -- terraform plan`],
      [`Give the code on the command line`, `$0 exec prod 123456 -- terraform apply -auto-approve`],
      [`Run a deploy script with a one-hour session`, `$0 exec --duration 3600 prod -- ./deploy.sh --stage live`],
      [`Start a shell that has the session`, `$0 exec prod`],
      [`Run a job longer than a role session lasts, its credentials renewed as it runs`, `$0 exec --server admin -- terraform apply`],
    ],
  });

  override debug = debugOption(true);
  // --profile NAME stands for PROFILE: the first word is then the CODE (applyProfileOption).
  profileFlag = profileOption();
  duration = durationOption();
  serial = serialOption();
  region = regionOption();
  server = Option.Boolean(`--server`, false, { description: `Serve the command renewed credentials on 127.0.0.1 instead of keys in its environment (long jobs)` });

  profile = Option.String({ required: false, name: `PROFILE` });
  code = Option.String({ required: false, name: `CODE` });
  // COMMAND and its arguments, never parsed as aws2fa's: the CLI splits them off before Clipanion parses the rest
  // (src/exec/argv.ts).
  commandWords: string[] = [];

  async execute(): Promise<number> {
    if (this.profile === undefined) throw new UsageError(`exec needs a profile: aws2fa exec PROFILE [CODE] [--] [COMMAND [ARG...]]`);
    const [file = this.context.env.SHELL || `/bin/sh`, ...args] = this.commandWords;
    const request = { ...this, profile: this.profile, durationSeconds: this.duration };
    const witness = witnessForTerminal();
    try {
      // Loaded only here: the credential server's HTTP stack costs every other run nothing.
      if (this.server) return await (await import('../server/exec-server.js')).execWithServer(this.context, request, [file, ...args], witness);
      const session = await sessionForExec(this.context, request);
      // From here on the terminal is the command's. (The hook's descriptor of the held session does not reach it:
      // Node marks the descriptors it inherits close-on-exec as it starts.)
      this.context.terminal?.release?.();
      return await runCommand(this.context, [file, ...args], commandEnvironment(this.context.env, session), witness);
    } catch (error) {
      void witness.then((started) => started?.end());
      throw error;
    }
  }
}
