import { configureCommand } from '../advice.js';
import { shortKey } from '../aws/failures.js';
import { HalfRotationError } from '../errors.js';

// The one line for a rotation half done with `aws configure set` while logged in: which half is new, where the
// working pair is, and the command that finishes it. Names key ids only (shortened), never a secret.
export interface HalfRotationFacts {
  profile: string;
  backup: string; // the backup section's name
  path: string;
  savedId: string; // the backup's key id
  id: string | undefined; // [PROFILE]'s key id now
  secret: string | undefined; // [PROFILE]'s secret now (only whether there is one is said)
}

export function halfRotation(
  { profile, backup: backupName, path, savedId, id, secret }: HalfRotationFacts,
  changed: 'id' | 'secret' | 'unclear',
): HalfRotationError {
  const backup = `the working long-term keys ${shortKey(savedId)} are in [${backupName}]`;
  const set = (key: string) => `${configureCommand(path, profile).replace(/aws configure /, `aws configure set ${key} NEW_VALUE `)}`;
  const nothing = 'nothing was changed';
  const shown = id === undefined ? '' : ` ${shortKey(id)}`;
  if (changed === 'id') {
    return new HalfRotationError(
      `[${profile}] in ${path} has a new aws_access_key_id${shown} but ${secret === undefined ? 'no secret' : "still the session's secret"}, and ${backup}: ` +
        `set the new key's secret too (${set('aws_secret_access_key')}) and run again; ${nothing}`,
    );
  }
  if (changed === 'secret') {
    return new HalfRotationError(
      `[${profile}] in ${path} has a new aws_secret_access_key but ${id === undefined ? 'no key id' : `still the session's key id${shown}`}, and ${backup}: ` +
        `set the new key's id too (${set('aws_access_key_id')}) and run again; ${nothing}`,
    );
  }
  return new HalfRotationError(
    `[${profile}] in ${path} has the key id${shown} beside a session token, and ${backup}; aws2fa cannot tell whether its secret is ` +
      `the new key's: if both halves of${shown} are set, remove aws_session_token from [${profile}], else set the secret ` +
      `(${set('aws_secret_access_key')}); then run again; ${nothing}`,
  );
}
