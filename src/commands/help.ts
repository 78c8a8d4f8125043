import { Command, Option } from 'clipanion';
import type { AppContext } from '../context.js';

// `aws2fa help [COMMAND]`: src/cli.ts turns it into `aws2fa COMMAND --help` before parsing, so both print the same
// text; this class gives it a place in the general help and a --help of its own.
export class HelpCommand extends Command<AppContext> {
  static override paths = [[`help`]];

  static override usage = Command.Usage({
    description: `print the help of aws2fa, or of one command`,
    details: `
      The same as \`aws2fa --help\` and \`aws2fa COMMAND --help\`. A mistyped command gets the nearest one named.
    `,
    examples: [
      [`List every command`, `$0 help`],
      [`Show the options and examples of env login`, `$0 help env login`],
    ],
  });

  command = Option.String({ required: false, name: `COMMAND` });
  subcommand = Option.String({ required: false, name: `SUBCOMMAND` });

  async execute(): Promise<number> {
    this.context.stdout.write(this.cli.usage());
    return 0;
  }
}
