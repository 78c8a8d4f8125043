import { Command, Option } from 'clipanion';
import { debugOption, durationOption, FolderCommand, regionOption, serialOption } from './base.js';
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
    `,
    examples: [
      [`Plan with terraform under prod, asking for the code`, `$0 exec prod -- terraform plan`],
      [`Give the code on the command line`, `$0 exec prod 123456 -- terraform apply -auto-approve`],
      [`Run a deploy script with a one-hour session`, `$0 exec --duration 3600 prod -- ./deploy.sh --stage live`],
      [`Start a shell that has the session`, `$0 exec prod`],
    ],
  });

  override debug = debugOption(true);
  duration = durationOption();
  serial = serialOption();
  region = regionOption();

  profile = Option.String({ name: `PROFILE` });
  code = Option.String({ required: false, name: `CODE` });
  // COMMAND and its arguments, never parsed as aws2fa's: the CLI splits them off before Clipanion parses the rest
  // (src/exec/argv.ts).
  commandWords: string[] = [];

  async execute(): Promise<number> {
    const [file = this.context.env.SHELL || `/bin/sh`, ...args] = this.commandWords;
    const witness = witnessForTerminal();
    let session;
    try {
      session = await sessionForExec(this.context, { ...this, durationSeconds: this.duration });
    } catch (error) {
      void witness.then((started) => started?.end());
      throw error;
    }
    // From here on the terminal is the command's. (The hook's descriptor of the held session does not reach it:
    // Node marks the descriptors it inherits close-on-exec as it starts.)
    this.context.terminal?.release?.();
    return runCommand(this.context, [file, ...args], commandEnvironment(this.context.env, session), witness);
  }
}
