import { Command, Option } from 'clipanion';
import { FolderCommand } from './base.js';
import { warnIfShared } from './messages.js';
import { restoreLongTermKeys } from '../mfa/file-mode.js';
import { profileName } from '../mfa/profile.js';
import { backupSectionFor, requireProfile } from '../store/credentials.js';
import { resolveAwsFiles } from '../store/paths.js';
import { loadIniFile } from '../store/read.js';

export class LogoutCommand extends FolderCommand {
  static override paths = [[`logout`], [`mfa`, `logout`]];

  static override usage = Command.Usage({
    description: `give a profile its long-term keys back (file mode)`,
    details: `
      Restores \`[PROFILE]\` from \`[PROFILE::source-profile]\`, removes the session token and expiration, and
      removes the backup section: after a login and a logout the file is byte for byte what it was.
      A profile that is not logged in is left alone. PROFILE defaults to \`$AWS_PROFILE\`, else \`default\`.
    `,
    examples: [
      [`Log the prod profile out`, `$0 logout prod`],
      [`Log out the default profile of ~/.aws-acme/`, `$0 logout --name acme`],
    ],
  });

  profile = Option.String({ required: false, name: 'profile' });

  async execute(): Promise<number> {
    const name = profileName(this, this.context.env);
    const files = resolveAwsFiles(this, this.context.env, this.context.home);
    const current = await loadIniFile(files.credentials);
    requireProfile(current.doc, name, files.credentials, current.exists); // a typo is an error, and found before taking the lock
    const outcome = await restoreLongTermKeys(files.credentials, name);
    if (!outcome.restored) {
      const why = outcome.foreignSession
        ? `its session keys were not written by aws2fa and there is no [${backupSectionFor(name)}] to restore`
        : `it has its long-term keys`;
      this.context.stdout.write(`${name} is not logged in (${why}); nothing changed.\n`);
      return 0;
    }
    this.context.stdout.write(`Logged out ${name}: its long-term keys are back in [${name}].\n`);
    warnIfShared(this.context, outcome.write);
    return 0;
  }
}
