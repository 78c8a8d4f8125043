import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { HalfRotationError, UnknownProfileError, UnrestorableSessionError, NoLongTermKeysError } from '../../src/errors.js';
import { applyLogin, applyLogout, longTermKeysFor, type SessionKeys } from '../../src/store/credentials.js';
import { joinLines, parseIni } from '../../src/store/ini.js';
import { sessionMarkLine } from '../helpers/session-mark.js';

const Credentials = suite('store/credentials: file-mode login and logout never lose a long-term key');

const session = (n: number): SessionKeys => ({
  accessKeyId: `ASIASESSION${n}EXAMPLE`,
  secretAccessKey: `session/secret+${n}=`,
  sessionToken: `token/${n}+=`,
  expiration: new Date(Date.UTC(2026, 10, 24, 6, 12, 0)),
});

const original = [
  '# my keys',
  '[default]',
  'aws_access_key_id = AKIADEFAULT',
  'aws_secret_access_key = default/secret',
  '',
  '[prod]',
  'aws_access_key_id = AKIAPROD',
  'aws_secret_access_key = prod/secret+x=',
  'region = eu-west-1 ; not a comment',
  '',
  '; trailing comment',
  '',
].join('\n');

Credentials('first login backs the long-term keys up and writes session keys and RFC 3339 expiration', () => {
  const after = joinLines(applyLogin(parseIni(original, 'f'), 'prod', session(1), 'f'));
  assert.is(
    after,
    original.replace(
      'aws_access_key_id = AKIAPROD\naws_secret_access_key = prod/secret+x=\nregion = eu-west-1 ; not a comment\n',
      'aws_access_key_id = ASIASESSION1EXAMPLE\naws_secret_access_key = session/secret+1=\nregion = eu-west-1 ; not a comment\n' +
        'aws_session_token = token/1+=\nexpiration = 2026-11-24T06:12:00Z\n\n[prod::source-profile]\n' +
        `aws_access_key_id = AKIAPROD\naws_secret_access_key = prod/secret+x=\n${sessionMarkLine(session(1))}\n`,
    ),
  );
});

Credentials('login while logged in keeps the backup; logout gives back the original bytes', () => {
  let doc = applyLogin(parseIni(original, 'f'), 'prod', session(1), 'f');
  doc = applyLogin(doc, 'prod', session(2), 'f');
  assert.equal(longTermKeysFor(doc, 'prod', 'f'), { keys: { accessKeyId: 'AKIAPROD', secretAccessKey: 'prod/secret+x=' }, from: 'backup' });
  assert.ok(joinLines(doc).includes('aws_access_key_id = ASIASESSION2EXAMPLE'));
  assert.is(joinLines(applyLogout(doc, 'prod')!), original);
});

Credentials('a stale aws_security_token goes at login (botocore would prefer it)', () => {
  const stale = '[p]\naws_access_key_id = AKIA1\naws_secret_access_key = s\naws_security_token = OLD\n';
  const after = joinLines(applyLogin(parseIni(stale, 'f'), 'p', session(1), 'f'));
  assert.not.match(after, /aws_security_token/);
  assert.match(after, /\[p::source-profile\]\naws_access_key_id = AKIA1\n/);
});

Credentials('logout of a profile that is not logged in changes nothing', () => {
  assert.is(applyLogout(parseIni(original, 'f'), 'prod'), undefined);
});

Credentials('new long-term keys pasted into [PROFILE] during a session replace the old backup, never by session keys', () => {
  let doc = applyLogin(parseIni(original, 'f'), 'prod', session(1), 'f');
  const pasted = joinLines(doc)
    .replace('aws_access_key_id = ASIASESSION1EXAMPLE', 'aws_access_key_id = AKIANEW')
    .replace('aws_secret_access_key = session/secret+1=', 'aws_secret_access_key = new/secret')
    .replace(/aws_session_token = .*\n/, '');
  doc = applyLogin(parseIni(pasted, 'f'), 'prod', session(2), 'f');
  assert.match(joinLines(doc), /\[prod::source-profile\]\naws_access_key_id = AKIANEW\naws_secret_access_key = new\/secret\n/);
});

Credentials('a new key id pasted without its secret (the session\'s still there) is refused by login and logout alike', () => {
  const doc = applyLogin(parseIni(original, 'f'), 'prod', session(1), 'f');
  const pasted = parseIni(joinLines(doc).replace('aws_access_key_id = ASIASESSION1EXAMPLE', 'aws_access_key_id = AKIANEW').replace(/aws_session_token = .*\n/, ''), 'f');
  assert.throws(() => applyLogin(pasted, 'prod', session(2), 'f'), (e: Error) => e instanceof HalfRotationError);
  assert.throws(() => applyLogout(pasted, 'prod', 'f'), (e: Error) => e instanceof HalfRotationError);
});

Credentials('errors: unknown profile lists the known ones; session keys without backup are refused; no keys', () => {
  assert.throws(() => longTermKeysFor(parseIni(original, 'f'), 'nope', '/x/credentials'), (e: Error) =>
    e instanceof UnknownProfileError && /profile nope is not in \/x\/credentials \(known profiles: default, prod\)/.test(e.message));
  const foreign = '[p]\naws_access_key_id = ASIAXX\naws_secret_access_key = s\naws_session_token = t\n';
  assert.throws(() => applyLogin(parseIni(foreign, 'f'), 'p', session(1), 'f'), (e: Error) => e instanceof UnrestorableSessionError);
  assert.throws(() => longTermKeysFor(parseIni('[p]\nregion = x\n', 'f'), 'p', 'f'), (e: Error) => e instanceof NoLongTermKeysError);
});

Credentials.run();
