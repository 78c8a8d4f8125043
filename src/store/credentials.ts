import { configureCommand } from '../advice.js';
import {
  BackupConflictError,
  NoLongTermKeysError,
  UnknownProfileError,
  UnrestorableSessionError,
} from '../errors.js';
import { addSection, continuationOf, removeOption, removeSection, setOption, type Entry } from './edit.js';
import { findSection, optionValue, type IniDocument, type IniSection } from './ini.js';
import { rfc3339 } from '../time.js';
import { halfRotation } from './half-rotation.js';
import { isSessionSecret, markOf, readMark, SESSION_MARK_KEY } from './session-mark.js';

// File mode's rules for the credentials file: [PROFILE] holds what the CLI and SDKs use, and while a session is in
// it, [PROFILE::source-profile] holds the long-term keys. Nothing here ever drops a long-term key.

export const BACKUP_SUFFIX = '::source-profile';

export function backupSectionFor(profile: string): string {
  return `${profile}${BACKUP_SUFFIX}`;
}

export interface AccessKeys {
  accessKeyId: string;
  secretAccessKey: string;
}

export interface SessionKeys extends AccessKeys {
  sessionToken: string;
  expiration: Date;
}

export function keysIn(section: IniSection | undefined): AccessKeys | undefined {
  const accessKeyId = optionValue(section, 'aws_access_key_id');
  const secretAccessKey = optionValue(section, 'aws_secret_access_key');
  return accessKeyId && secretAccessKey ? { accessKeyId, secretAccessKey } : undefined;
}

// STS session keys always start with ASIA; a session token alone also marks one. An AKIA key id is a long-term
// key whatever else is there: `aws configure set` rotates the key id and secret and leaves the token behind.
export function holdsSession(section: IniSection | undefined): boolean {
  if (!section) return false;
  const accessKeyId = optionValue(section, 'aws_access_key_id') ?? '';
  if (/^AKIA/.test(accessKeyId)) return false;
  return optionValue(section, 'aws_session_token') !== undefined || /^ASIA/.test(accessKeyId);
}

function longTermIn(section: IniSection | undefined): AccessKeys | undefined {
  return holdsSession(section) ? undefined : keysIn(section);
}

// The long-term keys [PROFILE] holds of its own, if any. Beside a backup, [PROFILE] holds the session aws2fa wrote,
// keys that replaced it (both halves new: a rotation), or a rotation half done (one half new): then the backup's
// pair is the only one known to work and the new half has no partner yet, so neither may be dropped or overwritten:
// refused until the user finishes (or undoes) it.
function newKeysIn(doc: IniDocument, profile: string, path: string): AccessKeys | undefined {
  const section = findSection(doc, profile);
  const backup = findSection(doc, backupSectionFor(profile));
  const saved = keysIn(backup);
  if (!saved) return longTermIn(section);
  const id = optionValue(section, 'aws_access_key_id');
  const secret = optionValue(section, 'aws_secret_access_key');
  const mark = readMark(optionValue(backup, SESSION_MARK_KEY));
  const where = { profile, backup: backupSectionFor(profile), path, savedId: saved.accessKeyId, id, secret };
  if (!mark) {
    // A backup from before the mark: `aws configure set` leaves the session token behind, so an AKIA key id beside
    // one may have come with its secret or without it.
    if (/^AKIA/.test(id ?? '') && optionValue(section, 'aws_session_token') !== undefined && !sameKeys(keysIn(section), saved)) {
      throw halfRotation(where, 'unclear');
    }
    return longTermIn(section);
  }
  const idIsNew = id !== undefined && id !== mark.accessKeyId;
  const secretIsNew = secret !== undefined && !isSessionSecret(mark, secret);
  if (idIsNew && secretIsNew) return /^ASIA/.test(id) ? undefined : { accessKeyId: id, secretAccessKey: secret };
  if (idIsNew) throw halfRotation(where, 'id');
  if (secretIsNew) throw halfRotation(where, 'secret');
  return undefined;
}

// The keys of [PROFILE] replaced while logged in (`aws configure set` after a rotation): those are the long-term
// keys now, and the backup's are stale.
export interface Rotation {
  kept: AccessKeys;
  stale: AccessKeys;
}

export function rotationIn(doc: IniDocument, profile: string, path = '(credentials)'): Rotation | undefined {
  const kept = newKeysIn(doc, profile, path);
  const stale = keysIn(findSection(doc, backupSectionFor(profile)));
  return kept && stale && !sameKeys(kept, stale) ? { kept, stale } : undefined;
}

export function profileNames(doc: IniDocument): string[] {
  return doc.sections.map((section) => section.name).filter((name) => !name.endsWith(BACKUP_SUFFIX));
}

export interface LongTermSource {
  keys: AccessKeys;
  from: 'profile' | 'backup';
}

// A handful of names, not a line of 50,000.
const NAMES_SHOWN = 5;
export function knownProfiles(names: string[]): string {
  if (names.length === 0) return 'it has no profiles';
  const more = names.length > NAMES_SHOWN ? ` and ${names.length - NAMES_SHOWN} more (aws2fa status lists them all)` : '';
  return `known profiles: ${names.slice(0, NAMES_SHOWN).join(', ')}${more}`;
}

// The AWS CLI reads [profile x] in the credentials file as a profile named "profile x", not x.
export function prefixedSectionNote(doc: IniDocument, profile: string): string {
  return findSection(doc, `profile ${profile}`)
    ? `; note: [profile ${profile}] in this file is a profile named "profile ${profile}", as the AWS CLI reads it (only the config file takes the "profile " prefix)`
    : '';
}

export function requireProfile(doc: IniDocument, profile: string, path: string, fileExists = true): void {
  if (findSection(doc, profile) || findSection(doc, backupSectionFor(profile))) return;
  if (!fileExists) {
    throw new UnknownProfileError(`there is no credentials file at ${path}: create it with ${configureCommand(path, profile)}`);
  }
  // What to do about it depends on the config file too (a near miss, a role profile): src/advice.ts says it.
  throw new UnknownProfileError(`profile ${profile} is not in ${path} (${knownProfiles(profileNames(doc))})${prefixedSectionNote(doc, profile)}`);
}

function sameKeys(a: AccessKeys | undefined, b: AccessKeys | undefined): boolean {
  return a !== undefined && b !== undefined && a.accessKeyId === b.accessKeyId && a.secretAccessKey === b.secretAccessKey;
}

// [PROFILE::source-profile] is aws2fa's, but a file may hold a profile of that name for its own sake, or a backup
// that can no longer be what it claims. Any of those is refused rather than overwritten or removed.
function checkBackup(doc: IniDocument, profile: string, path: string): void {
  const backupName = backupSectionFor(profile);
  if (profile.endsWith(BACKUP_SUFFIX)) {
    throw new BackupConflictError(
      `[${profile}] in ${path} is where aws2fa keeps the long-term keys of ${profile.slice(0, -BACKUP_SUFFIX.length)}: ` +
        `log in or out that profile instead, or rename this one if it is a profile of its own`,
    );
  }
  const backup = findSection(doc, backupName);
  if (!backup) return;
  if (backup.options.length === 0) {
    throw new BackupConflictError(
      `[${backupName}] in ${path} is there but holds no keys: aws2fa keeps the long-term keys of ${profile} in that section while ` +
        `logged in and removes it at logout, which would drop what is written there; remove it (or rename it) and run again`,
    );
  }
  const saved = keysIn(backup);
  const onlyKeys = backup.options.every((option) => ['aws_access_key_id', 'aws_secret_access_key', SESSION_MARK_KEY].includes(option.key));
  if (!saved || holdsSession(backup) || !onlyKeys) {
    throw new BackupConflictError(
      `[${backupName}] in ${path} is not a backup of long-term keys as aws2fa writes one (just aws_access_key_id and aws_secret_access_key); ` +
        `aws2fa will not overwrite or remove it: rename it if it is a profile of its own, or fix it by hand`,
    );
  }
}

export function longTermKeysFor(doc: IniDocument, profile: string, path: string, fileExists = true): LongTermSource {
  requireProfile(doc, profile, path, fileExists);
  checkBackup(doc, profile, path);
  const section = findSection(doc, profile);
  const backup = findSection(doc, backupSectionFor(profile));
  const own = newKeysIn(doc, profile, path);
  if (own) return { keys: own, from: 'profile' };
  const saved = keysIn(backup);
  if (saved) return { keys: saved, from: 'backup' };
  if (holdsSession(section)) {
    throw new UnrestorableSessionError(
      `[${profile}] in ${path} holds session keys and there is no [${backupSectionFor(profile)}] with long-term keys; ` +
        `refusing to overwrite keys that could not be restored: put the long-term keys back with ${configureCommand(path, profile)}`,
    );
  }
  throw new NoLongTermKeysError(
    `[${profile}] in ${path} has no aws_access_key_id and aws_secret_access_key; add them with: ${configureCommand(path, profile)}`,
  );
}

function setKeys(doc: IniDocument, section: string, entries: Entry[]): IniDocument {
  if (!findSection(doc, section)) return addSection(doc, section, entries);
  return entries.reduce((edited, [key, value, continuation]) => setOption(edited, section, key, value, continuation), doc);
}

// With `from`, the keys take the indented lines that follow them there along, so that they come back byte for byte.
function keyEntries(keys: AccessKeys, from?: { doc: IniDocument; section: string }): Entry[] {
  const lines = (key: string) => (from ? continuationOf(from.doc, from.section, key) : []);
  return [
    ['aws_access_key_id', keys.accessKeyId, lines('aws_access_key_id')],
    ['aws_secret_access_key', keys.secretAccessKey, lines('aws_secret_access_key')],
  ];
}

export function applyLogin(doc: IniDocument, profile: string, session: SessionKeys, path: string): IniDocument {
  const longTerm = longTermKeysFor(doc, profile, path);
  const backup = backupSectionFor(profile);
  const mark: Entry = [SESSION_MARK_KEY, markOf(session)];
  let edited = doc;
  if (longTerm.from === 'profile') {
    const entries = [...keyEntries(longTerm.keys, { doc, section: profile }), mark];
    edited = findSection(edited, backup) ? setKeys(edited, backup, entries) : addSection(edited, backup, entries, profile);
  } else {
    edited = setKeys(edited, backup, [mark]);
  }
  edited = setKeys(edited, profile, [
    ...keyEntries(session),
    ['aws_session_token', session.sessionToken],
    ['expiration', rfc3339(session.expiration)],
  ]);
  // botocore prefers aws_security_token over aws_session_token: a stale one would shadow the new session.
  return removeOption(edited, profile, 'aws_security_token');
}

// Returns undefined when the profile is not in an aws2fa session: nothing to restore.
export function applyLogout(doc: IniDocument, profile: string, path = '(credentials)'): IniDocument | undefined {
  const backup = backupSectionFor(profile);
  const saved = keysIn(findSection(doc, backup));
  if (!saved) return undefined;
  checkBackup(doc, profile, path);
  // After a rotation [PROFILE] already holds the long-term keys: they stay, the stale backup goes.
  let edited = rotationIn(doc, profile, path) ? doc : setKeys(doc, profile, keyEntries(saved, { doc, section: backup }));
  for (const key of ['aws_session_token', 'aws_security_token', 'expiration']) edited = removeOption(edited, profile, key);
  return removeSection(edited, backup);
}
