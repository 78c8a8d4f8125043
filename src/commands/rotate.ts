import { Command, Option } from 'clipanion';
import { debugOption, FolderCommand, profileOption, regionOption, serialOption } from './base.js';
import { checkAwsSettings } from '../aws/endpoint.js';
import { refuseIfBusy, rotateKey } from '../keys/rotate.js';
import { newKeyWaitMs } from '../keys/wait.js';
import { loneCodeAsCode } from '../mfa/code.js';
import { rootSessionFor } from '../mfa/roles.js';
import { rememberSerial } from '../mfa/session.js';
import { takeHeldSession } from '../profiles/held.js';
import { resolveProfile } from '../profiles/resolve.js';
import { assertWritable } from '../store/atomic.js';
import { backupSectionFor } from '../store/credentials.js';
import { rfc3339 } from '../time.js';

// A session made only to sign the IAM calls: AWS's shortest.
const ROTATION_SESSION_SECONDS = 900;

export class RotateCommand extends FolderCommand {
  static override paths = [[`rotate`]];

  static override usage = Command.Usage({
    description: `replace the profile's long-term access key with a new one, with one MFA code`,
    details: `
      Rotates the access key the credentials file holds for PROFILE (for a role profile, its root's), as IAM
      recommends: ListAccessKeys, CreateAccessKey, the new key written where the old one was (\`[PROFILE]\`, or
      \`[PROFILE::source-profile]\` while logged in) with every other byte of the file kept, a wait until the new
      key works (up to 30 s, or AWS2FA_NEW_KEY_WAIT seconds), then DeleteAccessKey of the old one. Every IAM call is
      signed with an MFA session: the one the shell hook holds, the profile's file-mode session, or a new one made
      with CODE (else \`mfa_process\`, else asked on the terminal).

      The files always hold a key that works: the old one until the new one is written, the new one after. A run
      that was interrupted is finished by the next \`aws2fa rotate\` without making a third key, and
      \`aws2fa status\` says what is left. When the user already has two keys (IAM's limit), nothing is created: the
      other key is named with the command that deletes it.

      Sessions made with the old key keep working until they expire (AWS does not end them); \`aws2fa logout\`
      then puts the new key back in \`[PROFILE]\`.
    `,
    examples: [
      [`Rotate the key of prod`, `$0 rotate prod 123456`],
      [`Rotate without a code while logged in (file mode) or with the hook's session`, `$0 rotate prod`],
      [`Rotate the key behind the role profile admin (its source_profile's)`, `$0 rotate admin 123456`],
      [`Rotate the default profile of ~/.aws-acme/`, `$0 rotate --name acme 123456`],
    ],
  });

  override debug = debugOption(true);
  profileFlag = profileOption();
  profile = Option.String({ required: false, name: 'PROFILE' });
  code = Option.String({ required: false, name: 'CODE' });
  serial = serialOption();
  region = regionOption();

  async execute(): Promise<number> {
    const { context } = this;
    // The descriptor is read and closed before anything could spawn a process that inherits it.
    const held = await takeHeldSession(context.env);
    const words = loneCodeAsCode(context, this);
    const profile = await resolveProfile(context, { ...this, profile: words.profile });
    // Everything that can be refused is refused before the code is spent.
    checkAwsSettings(context.env, 'IAM');
    newKeyWaitMs(context.env);
    assertWritable(profile.files.credentials);
    refuseIfBusy(profile.files.credentials, profile.root);
    const root = await rootSessionFor(context, profile, { code: words.code, serial: this.serial, held, durationSeconds: ROTATION_SESSION_SECONDS, command: `rotate` });
    const outcome = await rotateKey(context, profile, root.keys, this);
    if (root.askedSerial) await rememberSerial(profile, root.askedSerial);
    const role = profile.hops.length > 0 ? `${profile.name} is a role profile of ${profile.root}: ` : '';
    context.stdout.write(`${role}${outcome.line}\n`);
    if (profile.longTerm.from === 'backup') {
      const until = root.source === 'file' ? ` until ${rfc3339(root.keys.expiration)}` : '';
      context.stderr.write(
        `aws2fa: the new key is in [${backupSectionFor(profile.root)}]; the session in [${profile.root}] keeps working${until}, and aws2fa logout ${profile.root} puts the new key in [${profile.root}]\n`,
      );
    }
    return 0;
  }
}
