import { Command, Option } from 'clipanion';
import * as t from 'typanion';
import { AppCommand } from '../base.js';
import { renderEnvLogout, shellFromEnv, SHELL_NAMES } from '../../shell/index.js';
import { printableLines } from '../../printable.js';

export class EnvLogoutCommand extends AppCommand {
  static override paths = [[`env`, `logout`]];

  static override usage = Command.Usage({
    category: `Env mode (one shell only)`,
    description: `print shell code that removes the env-mode session from the current shell`,
    details: `
      Prints the code that unsets every variable \`aws2fa env login\` exported and puts back AWS_PROFILE,
      AWS_DEFAULT_PROFILE, AWS_REGION and AWS_DEFAULT_REGION as they were before the first env login (unset stays
      unset). It also forgets the root session the shell hook holds. No file changes. With the shell hook,
      \`aws2fa env logout\` evaluates it by itself.
    `,
    examples: [
      [`End this shell's session (bash, zsh)`, `eval "$($0 env logout)"`],
      [`The same in fish`, `$0 env logout | source`],
    ],
  });

  shell = Option.String(`--shell`, { description: `Syntax of the printed code: bash, zsh, fish or sh (default: from $SHELL)`, validator: t.isEnum(SHELL_NAMES) });

  async execute(): Promise<number> {
    this.context.stdout.write(renderEnvLogout(this.shell ?? shellFromEnv(this.context.env.SHELL)));
    if (this.context.env.AWS2FA_PROFILE) this.context.stderr.write(printableLines(`This shell's session of ${this.context.env.AWS2FA_PROFILE} ends.`));
    return 0;
  }
}
