import { Command, Option } from 'clipanion';
import * as t from 'typanion';
import type { AppContext } from '../context.js';
import { isPrintable } from '../printable.js';
import { completionProfiles } from '../shell/profiles.js';
import { resolveAwsFiles } from '../store/paths.js';

// Hidden (no usage, so not in --help): what the shell hooks' tab completion asks for. It never prints an error:
// a bad option or file gives no names, and the status is always 0.
export class CompleteCommand extends Command<AppContext> {
  static override paths = [[`__complete`]];

  what = Option.String({ name: `WHAT`, validator: t.isEnum([`profiles`]) });
  directory = Option.String(`--directory`);
  name = Option.String(`--name`);

  async execute(): Promise<number> {
    try {
      const files = resolveAwsFiles({ directory: this.directory, name: this.name }, this.context.env, this.context.home);
      // A name with control characters would reach the terminal raw in the shell's list, and cannot be typed anyway.
      for (const name of completionProfiles(files)) if (isPrintable(name)) this.context.stdout.write(`${name}\n`);
    } catch {
      // no names
    }
    return 0;
  }
}
