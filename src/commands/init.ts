import { Command, Option } from 'clipanion';
import * as t from 'typanion';
import { AppCommand } from './base.js';
import { HOOK_SHELLS, readHook } from '../shell/hooks.js';

export class InitCommand extends AppCommand {
  static override paths = [[`init`]];

  // Said when SHELL is missing (`aws2fa init`), in place of Clipanion's "Not enough positional arguments".
  static needs = `a shell: bash, zsh or fish (e.g. eval "$(aws2fa init bash)")`;

  static override usage = Command.Usage({
    description: `print the shell hook for bash, zsh or fish`,
    details: `
      Prints \`shell/aws2fa.sh\` (bash, zsh) or \`shell/aws2fa.fish\`. The hook defines a function \`aws2fa\` that
      makes \`aws2fa env login\` and \`aws2fa env logout\` change the current shell by themselves, and
      \`aws2fa_prompt\`, which prints the env session's profile and time left for your prompt. It adds tab
      completion (commands, options, profile names), holds a role's root session for this shell only, and
      renews a role session before the prompt when it is about to end (AWS2FA_RENEW=0 turns that off). Sourcing
      the file directly is a little faster than \`eval\` at every shell start, as no process runs.
    `,
    examples: [
      [`bash: add to ~/.bashrc`, `eval "$($0 init bash)"`],
      [`zsh: add to ~/.zshrc`, `eval "$($0 init zsh)"`],
      [`fish: add to ~/.config/fish/config.fish`, `$0 init fish | source`],
    ],
  });

  shell = Option.String({ name: `SHELL`, validator: t.isEnum(HOOK_SHELLS) });

  async execute(): Promise<number> {
    this.context.stdout.write(readHook(this.shell));
    return 0;
  }
}
