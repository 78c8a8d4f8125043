import { targetFor, type AwsTarget } from '../aws/endpoint.js';
import { shortKey } from '../aws/failures.js';
import { createAccessKey, deleteAccessKey, iamRegionFor, IamRefusedError, listAccessKeys, type AccessKeyInfo, type CreatedKey, type UserKeys } from '../aws/iam.js';
import type { AppContext } from '../context.js';
import { debugFor } from '../debug.js';
import { UserError } from '../errors.js';
import { stsTarget } from '../mfa/session.js';
import type { ResolvedProfile } from '../profiles/resolve.js';
import type { AccessKeys, SessionKeys } from '../store/credentials.js';
import type { FolderOptions } from '../store/paths.js';
import { noteUnfinished } from '../store/in-flight.js';
import { pausePoint } from '../store/pause-points.js';
import { withFileLock } from '../store/lock.js';
import { resolveTarget } from '../store/atomic.js';
import { rfc3339 } from '../time.js';
import { deleteKeyCommand, describeKey, rotateCommand, rotatedLine } from './advice.js';
import { endRotation, readRotation, RotationBusyError, startRotation, updateRotation, type FoundRotation, type Rotation } from './journal.js';
import { replaceKey } from './key-file.js';
import { newKeyWaitMs, waitUntilKeyWorks } from './wait.js';

// `aws2fa rotate`: ListAccessKeys, CreateAccessKey, the new key written where the old one was, a wait until it
// works, DeleteAccessKey of the old one; every IAM call signed with the MFA session. At every step the files hold a
// key that works (the old one until the new one is written, the new one after), and the rotation record
// (journal.ts) says what is left should the run end there.

export class RotationError extends UserError {}

interface Rotating {
  context: AppContext;
  profile: ResolvedProfile;
  session: SessionKeys;
  folder: FolderOptions;
  iam: AwsTarget;
  sts: AwsTarget;
  waitMs: number;
  credentials: string;
  oldKey: AccessKeys;
}

export interface RotationOutcome {
  line: string;
  user: string;
  newKey: string;
  /** [PROFILE] or its ::source-profile backup */
  finishedEarlierRun: boolean;
}

function busy(record: FoundRotation): RotationBusyError {
  return new RotationBusyError(`another aws2fa rotate (pid ${record.pid}) is rotating the key of ${record.profile} now: wait for it to finish`);
}

// Said before the code is spent: another run is at it.
export function refuseIfBusy(credentials: string, profile: string): void {
  const record = readRotation(credentials, profile);
  if (record?.inProgress) throw busy(record);
}

// The record is taken, or replaced, under the credentials file's lock: of two runs that find a record its writer
// left, one goes on with it and the other finds the first one at work.
async function takeRecord(run: Rotating, seen: FoundRotation | undefined, next: Rotation): Promise<void> {
  await withFileLock(resolveTarget(run.credentials), async () => {
    const now = readRotation(run.credentials, run.profile.root);
    if (now?.inProgress) throw busy(now);
    if (now && seen && now.started === seen.started && now.old === seen.old && now.new === seen.new) return updateRotation(run.credentials, next);
    if (now) endRotation(run.credentials, run.profile.root);
    if (startRotation(run.credentials, next) === 'exists') throw new RotationBusyError(`another aws2fa rotate started rotating the key of ${run.profile.root} just now: wait for it to finish`);
  });
}

export async function rotateKey(context: AppContext, profile: ResolvedProfile, session: SessionKeys, folder: FolderOptions): Promise<RotationOutcome> {
  const debug = debugFor(context);
  const run: Rotating = {
    context,
    profile,
    session,
    folder,
    iam: targetFor(context.env, 'IAM', iamRegionFor(profile.stsRegion), debug),
    sts: stsTarget(context, profile),
    waitMs: newKeyWaitMs(context.env),
    credentials: profile.files.credentials,
    oldKey: profile.longTerm.keys,
  };
  const record = readRotation(run.credentials, profile.root);
  if (record?.inProgress) throw busy(record);
  const listed = await listAccessKeys(run.iam, session);
  const own = listed.keys.find((key) => key.accessKeyId === run.oldKey.accessKeyId);
  if (!own) {
    throw new RotationError(
      `the key of ${profile.root} in ${run.credentials}, ${run.oldKey.accessKeyId}, is not one of ${listed.userName}'s access keys (${listed.keys.map(describeKey).join(', ')}): ` +
        `the MFA session is of another user; nothing was changed`,
    );
  }
  if (record && record.new === run.oldKey.accessKeyId) return finish(run, record, listed);
  const others = listed.keys.filter((key) => key !== own);
  if (others.length > 0) throw twoKeys(run, record, listed.userName, others[0]!);
  return rotate(run, record, listed.userName);
}

// Two keys: IAM allows no third. A key the last, interrupted run made, or one of the user's own elsewhere.
function twoKeys(run: Rotating, record: FoundRotation | undefined, user: string, other: AccessKeyInfo): RotationError {
  const root = run.profile.root;
  const remove = deleteKeyCommand(run.folder, root, user, other.accessKeyId);
  const again = rotateCommand(run.folder, run.profile.name);
  const madeByUs =
    record !== undefined && (record.new === other.accessKeyId || (record.new === null && other.created !== undefined && other.created.getTime() >= new Date(record.started).getTime() - 60_000));
  if (madeByUs) {
    return new RotationError(
      `${user}'s key ${describeKey(other)} was made by an interrupted aws2fa rotate, and its secret never reached ${run.credentials}: it cannot be used; ` +
        `nothing was created: delete it with ${remove} and run ${again} again`,
    );
  }
  return new RotationError(
    `${user} already has two access keys, the most IAM allows: ${describeKey(other)} is a key ${run.credentials} does not hold; nothing was created: ` +
      `if nothing uses it any more, delete it with ${remove} and run ${again} again`,
  );
}

async function deleteQuietly(run: Rotating, user: string, accessKeyId: string): Promise<string | undefined> {
  try {
    await deleteAccessKey(run.iam, run.session, user, accessKeyId);
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

// The files hold the new key already (an earlier run was killed or failed after writing it): what is left is the
// wait and the old key's deletion. No key is created.
async function finish(run: Rotating, record: FoundRotation, listed: UserKeys): Promise<RotationOutcome> {
  const newKey = run.oldKey.accessKeyId;
  await takeRecord(run, record, { profile: record.profile, user: record.user, old: record.old, new: record.new, started: record.started });
  if (listed.keys.some((key) => key.accessKeyId === record.old)) {
    noteUnfinished(`the old key ${shortKey(record.old)} may still be active: run ${rotateCommand(run.folder, run.profile.name)} to finish the rotation`);
    const check = await waitUntilKeyWorks(run.sts, run.oldKey, run.waitMs);
    if (!check.works) {
      throw new RotationError(
        `the key in ${run.credentials}, ${shortKey(newKey)}, does not work yet (${check.why}); the old key ${shortKey(record.old)} is still active: run ${rotateCommand(run.folder, run.profile.name)} again in a minute`,
      );
    }
    pausePoint('rotate-before-delete');
    await deleteAccessKey(run.iam, run.session, listed.userName, record.old);
    pausePoint('rotate-after-delete');
  }
  endRotation(run.credentials, run.profile.root);
  noteUnfinished(undefined);
  return { line: `finished the interrupted rotation: ${rotatedLine(listed.userName, record.old, newKey)}; the old key is deleted`, user: listed.userName, newKey, finishedEarlierRun: true };
}

async function rotate(run: Rotating, earlier: FoundRotation | undefined, user: string): Promise<RotationOutcome> {
  const { credentials, oldKey } = run;
  const root = run.profile.root;
  const debug = debugFor(run.context);
  const record: Rotation = { profile: root, user, old: oldKey.accessKeyId, new: null, started: rfc3339(run.context.now()) };
  await takeRecord(run, earlier, record);
  // From CreateAccessKey on, an interruption leaves a key (maybe) made: the line that says so names what to run.
  noteUnfinished(`the rotation of ${root}'s key was under way (IAM may have made a new key): run ${rotateCommand(run.folder, run.profile.name)} to finish it`);
  pausePoint('rotate-before-create');
  let created: CreatedKey;
  try {
    created = await createAccessKey(run.iam, run.session);
  } catch (error) {
    // Refused: nothing was made. Anything else (no answer in time) may have made a key all the same: the record
    // stays, and the next run names such a key.
    if (error instanceof IamRefusedError) endRotation(credentials, root);
    else (error as Error).message += `; if IAM made a key all the same, ${rotateCommand(run.folder, run.profile.name)} names it`;
    throw error;
  }
  debug.secret(created.secretAccessKey);
  pausePoint('rotate-after-create');
  const newKey = created.accessKeyId;
  const line = rotatedLine(created.userName, oldKey.accessKeyId, newKey);
  try {
    // The record knows the new key before the files do: a run killed between the two leaves a key to delete,
    // never a file holding a key no record explains.
    updateRotation(credentials, { ...record, new: newKey });
    await replaceKey(credentials, root, oldKey.accessKeyId, created);
  } catch (error) {
    const failed = await deleteQuietly(run, created.userName, newKey);
    if (failed === undefined) endRotation(credentials, root);
    const what = failed === undefined ? `the new key was deleted again: nothing changed` : `the new key ${newKey} could not be deleted again (${failed}): delete it with ${deleteKeyCommand(run.folder, root, created.userName, newKey)}`;
    throw new RotationError(`could not write the new key to ${credentials}: ${(error as Error).message}; ${what}`);
  }
  pausePoint('rotate-after-write');
  const check = await waitUntilKeyWorks(run.sts, created, run.waitMs);
  if (!check.works) throw await notWorking(run, created, check.why, check.final);
  pausePoint('rotate-before-delete');
  try {
    await deleteAccessKey(run.iam, run.session, created.userName, oldKey.accessKeyId);
  } catch (error) {
    throw new RotationError(
      `${line}: ${credentials} holds the new key and it works, but the old key is still active: ${(error as Error).message}; run ${rotateCommand(run.folder, run.profile.name)} again to delete it`,
    );
  }
  pausePoint('rotate-after-delete');
  endRotation(credentials, root);
  noteUnfinished(undefined);
  return { line: `${line}; the old key is deleted`, user: created.userName, newKey, finishedEarlierRun: false };
}

// The new key never worked in the time given: the old one (still active) goes back into the files and the new one
// is deleted. When STS could not be asked at all (the network), the new key stays and the next run finishes.
async function notWorking(run: Rotating, created: CreatedKey, why: string, final: boolean): Promise<RotationError> {
  const { credentials, oldKey } = run;
  const root = run.profile.root;
  const newKey = created.accessKeyId;
  const again = rotateCommand(run.folder, run.profile.name);
  if (final) {
    return new RotationError(
      `could not check the new key ${shortKey(newKey)} (${why}): ${credentials} holds it, and the old key ${shortKey(oldKey.accessKeyId)} is still active: run ${again} again to finish`,
    );
  }
  const seconds = Math.round(run.waitMs / 1000);
  try {
    await replaceKey(credentials, root, newKey, oldKey);
  } catch (error) {
    return new RotationError(
      `the new key ${shortKey(newKey)} did not work within ${seconds} s (${why}), and the old key could not be put back (${(error as Error).message}): ${credentials} holds the new key and the old one is still active: run ${again} again to finish`,
    );
  }
  const failed = await deleteQuietly(run, created.userName, newKey);
  if (failed === undefined) endRotation(credentials, root);
  const deleted = failed === undefined ? `the new one is deleted: nothing changed` : `the new one, ${newKey}, could not be deleted (${failed}): delete it with ${deleteKeyCommand(run.folder, root, created.userName, newKey)}`;
  return new RotationError(`the new key ${shortKey(newKey)} did not work within ${seconds} s (${why}); the old key ${shortKey(oldKey.accessKeyId)} is back in ${credentials} and ${deleted}; try again in a few minutes`);
}
