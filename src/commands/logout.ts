import { Command, Option } from 'clipanion';
import { debugOption, dockerCommandOption, ecrOption, ecrRegionOption, FolderCommand, profileOption, reportError } from './base.js';
import { noteRotation, warnIfShared } from './messages.js';
import { withConfigAdvice } from '../advice.js';
import { ECR_INCOMPLETE_STATUS } from '../errors.js';
import { ecrRequest, logoutRegistries, wantsEcr } from '../mfa/ecr-registries.js';
import { restoreLongTermKeys } from '../mfa/file-mode.js';
import { readChain, resolveProfile } from '../profiles/resolve.js';
import { backupSectionFor, requireProfile } from '../store/credentials.js';
import { printableLines } from '../printable.js';

export class LogoutCommand extends FolderCommand {
  static override paths = [[`logout`], [`mfa`, `logout`]];

  static override usage = Command.Usage({
    description: `give a profile its long-term keys back (file mode)`,
    details: `
      Restores \`[PROFILE]\` from \`[PROFILE::source-profile]\`, removes the session token and expiration, and
      removes the backup section: after a login and a logout the file is byte for byte what it was.
      A profile that is not logged in is left alone. For a role profile, its root profile (the one with the
      long-term keys) is logged out. PROFILE defaults to \`$AWS_PROFILE\`, else \`default\`.

      With \`--ecr\` (the profile's region) and \`--ecr-region\` (more regions), it also runs \`docker logout\`
      for the account's ECR registries, after the keys are back: for a role profile the role's account (the
      registries \`login ROLE --ecr\` logged in to), else the account of the long-term keys (STS
      GetCallerIdentity). \`--docker-command\` or \`$AWS2FA_DOCKER\` names another client.
    `,
    examples: [
      [`Log the prod profile out`, `$0 logout prod`],
      [`Log out the default profile of ~/.aws-acme/`, `$0 logout --name acme`],
      [`Log out, and log docker out of ECR in the profile's region and in us-east-1`, `$0 logout prod --ecr --ecr-region us-east-1`],
    ],
  });

  override debug = debugOption(true);
  profile = Option.String({ required: false, name: 'PROFILE' });
  profileFlag = profileOption();

  ecr = ecrOption(`out of`);
  ecrRegion = ecrRegionOption(`out of`);
  dockerCommand = dockerCommandOption();

  async execute(): Promise<number> {
    const { files, credentials, chain } = readChain(this.context, this);
    // A role profile's session is its root's: logging the role out logs the root out.
    const name = chain.root;
    const role = chain.hops.length > 0 ? `${chain.name} is a role profile of ${name}: ` : '';
    withConfigAdvice(name, files, () => requireProfile(credentials.doc, name, files.credentials, credentials.exists)); // a typo is an error, and found before taking the lock
    const outcome = await restoreLongTermKeys(files.credentials, name);
    if (!outcome.restored) {
      const why = outcome.foreignSession
        ? `its session keys were not written by aws2fa and there is no [${backupSectionFor(name)}] to restore`
        : `it has its long-term keys`;
      this.context.stdout.write(printableLines(`${role}${name} is not logged in (${why}); nothing changed.`));
    } else {
      this.context.stdout.write(printableLines(`${role}${role ? 'logged' : 'Logged'} out ${name}: its long-term keys are back in [${name}].`));
      noteRotation(this.context, name, outcome.write, 'logout');
      warnIfShared(this.context, outcome.write);
    }
    return this.logoutEcr();
  }

  // After the keys are back, whatever docker does: an ECR problem never keeps a profile in its session.
  private async logoutEcr(): Promise<number> {
    if (!wantsEcr(this)) return 0;
    try {
      const profile = await resolveProfile(this.context, this);
      const request = await ecrRequest(this, this.context, profile);
      if (request && !(await logoutRegistries(this.context, profile, request))) return ECR_INCOMPLETE_STATUS;
      return 0;
    } catch (error) {
      reportError(this.context, error);
      return ECR_INCOMPLETE_STATUS;
    }
  }
}
