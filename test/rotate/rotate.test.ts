import { readdir, stat } from 'node:fs/promises';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { shortKey } from '../../src/aws/failures.js';
import { iamErrorReply } from '../helpers/fake-iam.js';
import { ALICE } from '../helpers/home.js';
import { makeWorld, STANDARD_CONFIG, STANDARD_CREDENTIALS, type World } from '../helpers/world.js';
import { filesKey, keyWorks, ROTATED, withKey } from './helpers.js';

// `aws2fa rotate` against the local endpoint's IAM and STS: the steps, what is written, what is refused.
const Rotate = suite<{ world: World }>('rotate: the long-term key replaced with one MFA session');

Rotate.before.each(async (context) => {
  context.world = await makeWorld();
});
Rotate.after.each(async (context) => {
  await context.world.remove();
});

const actions = (world: World) => world.fake.requests.map((request) => `${request.service}:${request.action}`);
const recordsIn = async (world: World) => (await readdir(world.aws)).filter((name) => name.includes('aws2fa'));

Rotate('one code: ListAccessKeys, CreateAccessKey, the new key written, GetCallerIdentity with it, DeleteAccessKey; each IAM call signed with the MFA session', async ({ world }) => {
  const before = await world.read(world.credentials);
  const result = await world.aws2fa(['rotate', 'prod', ALICE.code]);
  assert.is(result.status, 0, result.stderr);
  assert.match(result.stdout, ROTATED);
  const [created] = world.fake.iam.created;
  assert.ok(created);
  assert.is(result.stdout, `rotated alice's key ${shortKey(ALICE.accessKeyId)} → ${shortKey(created.accessKeyId)}; the old key is deleted\n`);
  assert.is(result.stderr, '');
  // Only the two values changed, nothing else; the file stays 0600.
  assert.is(await world.read(world.credentials), withKey(before, ALICE, created));
  assert.is(await world.mode(world.credentials), 0o600);
  assert.equal(actions(world), ['sts:GetSessionToken', 'iam:ListAccessKeys', 'iam:CreateAccessKey', 'sts:GetCallerIdentity', 'iam:DeleteAccessKey']);
  const session = world.fake.issued[0]!;
  assert.is(session.expiration.getTime() - Date.now() <= 900_000, true, 'a session of 15 minutes, made for this only');
  for (const request of world.fake.requests.filter((each) => each.service === 'iam')) {
    assert.equal([request.accessKeyId, request.sessionToken, request.region, request.signatureValid], [session.accessKeyId, session.sessionToken, 'us-east-1', true]);
  }
  assert.is(world.fake.requests[3]!.accessKeyId, created.accessKeyId, 'the wait signs with the new key');
  assert.equal(world.fake.requests[4]!.params, { Action: 'DeleteAccessKey', Version: '2010-05-08', UserName: 'alice', AccessKeyId: ALICE.accessKeyId });
  assert.equal(world.fake.iam.keysOf().map((key) => key.accessKeyId), [created.accessKeyId]);
  assert.ok(await keyWorks(world.fake, filesKey(await world.read(world.credentials))));
  assert.not.ok(await keyWorks(world.fake, ALICE), 'the old key is refused by STS');
  // No secret in any output, no record left behind.
  for (const secret of [created.secretAccessKey, ALICE.secretAccessKey, session.secretAccessKey, session.sessionToken]) {
    assert.not.ok(result.stdout.includes(secret) || result.stderr.includes(secret));
  }
  assert.equal(await recordsIn(world), []);
});

Rotate('two keys already: refused before anything is created, naming the other key (id, status, created) and the command that deletes it', async ({ world }) => {
  const other = world.fake.iam.addKey(ALICE, { created: new Date('2026-03-04T05:06:07Z'), disabled: true });
  const before = await world.snapshot();
  const result = await world.aws2fa(['rotate', 'prod', ALICE.code]);
  assert.is(result.status, 1);
  assert.is(result.stdout, '');
  assert.is(result.stderr.split('\n').length, 2, result.stderr);
  assert.match(result.stderr, `alice already has two access keys, the most IAM allows: ${other.accessKeyId} (Inactive, created 2026-03-04T05:06:07Z)`);
  assert.match(result.stderr, `delete it with aws2fa exec prod -- aws iam delete-access-key --user-name alice --access-key-id ${other.accessKeyId} and run aws2fa rotate prod again`);
  assert.not.ok(actions(world).includes('iam:CreateAccessKey'));
  assert.equal(await world.snapshot(), before);
  assert.equal(await recordsIn(world), []);
});

Rotate('a new key that fails its first uses: waited for (GetCallerIdentity tried again), then the old one deleted', async ({ world }) => {
  world.fake.iam.newKeysFailFirst = 3;
  const result = await world.aws2fa(['rotate', 'prod', ALICE.code]);
  assert.is(result.status, 0, result.stderr);
  assert.match(result.stdout, ROTATED);
  const created = world.fake.iam.created[0]!;
  assert.is(world.fake.requests.filter((request) => request.action === 'GetCallerIdentity' && request.accessKeyId === created.accessKeyId).length, 4);
  assert.equal(world.fake.iam.keysOf().map((key) => key.accessKeyId), [created.accessKeyId]);
});

Rotate('a new key that never works: one line, the old key back in the file (byte for byte), the new one deleted', async ({ world }) => {
  world.fake.iam.newKeysFailFirst = 1_000;
  const before = await world.snapshot();
  const result = await world.aws2fa(['rotate', 'prod', ALICE.code], { env: { AWS2FA_NEW_KEY_WAIT: '0' } });
  assert.is(result.status, 1);
  const created = world.fake.iam.created[0]!;
  assert.is(
    result.stderr,
    `aws2fa: the new key ${shortKey(created.accessKeyId)} did not work within 0 s (STS still answers InvalidClientTokenId); the old key ${shortKey(ALICE.accessKeyId)} is back in ${world.credentials} and the new one is deleted: nothing changed; try again in a few minutes\n`,
  );
  assert.equal(await world.snapshot(), before);
  assert.equal(world.fake.iam.keysOf().map((key) => key.accessKeyId), [ALICE.accessKeyId]);
  assert.ok(await keyWorks(world.fake, ALICE));
  assert.equal(await recordsIn(world), []);
});

Rotate('IAM refusing CreateAccessKey: one line, exit 1, files unchanged, nothing left to finish', async ({ world }) => {
  const before = await world.snapshot();
  // Once ListAccessKeys is through, the next IAM call is refused.
  const listed = world.fake.nextRequest({ service: 'iam' }).then(() =>
    world.fake.injectReply(iamErrorReply(403, 'AccessDenied', 'User: arn:aws:iam::123456789012:user/alice is not authorized to perform: iam:CreateAccessKey on resource: user alice'), { service: 'iam', times: 1 }),
  );
  const result = await world.aws2fa(['rotate', 'prod', ALICE.code]);
  await listed;
  assert.is(result.status, 1);
  assert.is(result.stdout, '');
  assert.is(
    result.stderr,
    `aws2fa: IAM refused CreateAccessKey with the MFA session: User: arn:aws:iam::123456789012:user/alice is not authorized to perform: iam:CreateAccessKey on resource: user alice; the IAM user needs iam:CreateAccessKey on itself (with MFA)\n`,
  );
  assert.equal(await world.snapshot(), before);
  assert.equal(await recordsIn(world), []);
});

Rotate('a role profile rotates its root key, named in the output', async ({ world }) => {
  await world.writeConfig(`${STANDARD_CONFIG}\n[profile admin]\nrole_arn = arn:aws:iam::210987654321:role/admin\nsource_profile = prod\nregion = eu-west-1\n`);
  const result = await world.aws2fa(['rotate', 'admin', ALICE.code]);
  assert.is(result.status, 0, result.stderr);
  assert.match(result.stdout, /^admin is a role profile of prod: rotated alice's key AKIA…MPLE → AKIA…\w{4}; the old key is deleted\n$/);
  assert.is(filesKey(await world.read(world.credentials)).accessKeyId, world.fake.iam.created[0]!.accessKeyId);
  assert.not.ok(actions(world).includes('sts:AssumeRole'), 'no role is assumed: the root key is rotated');
});

Rotate('file mode: no code (the session in the file signs), the new key goes to the backup, the session keeps working, logout restores the new key', async ({ world }) => {
  assert.is((await world.aws2fa(['login', 'prod', ALICE.code])).status, 0);
  const loggedIn = await world.read(world.credentials);
  const session = world.fake.issued[0]!;
  const result = await world.aws2fa(['rotate', 'prod']);
  assert.is(result.status, 0, result.stderr);
  assert.match(result.stdout, ROTATED);
  assert.match(result.stderr, /^aws2fa: the new key is in \[prod::source-profile\]; the session in \[prod\] keeps working until \S+Z, and aws2fa logout prod puts the new key in \[prod\]\n$/);
  const created = world.fake.iam.created[0]!;
  assert.is(world.fake.issued.length, 1, 'no new GetSessionToken');
  assert.is(await world.read(world.credentials), withKey(loggedIn, ALICE, created));
  assert.ok(await keyWorks(world.fake, session), 'the session made with the deleted key still works');
  assert.is((await world.aws2fa(['logout', 'prod'])).status, 0);
  assert.is(await world.read(world.credentials), withKey(STANDARD_CREDENTIALS, ALICE, created));
});

Rotate('an env session in progress keeps working after its key is deleted', async ({ world }) => {
  const login = await world.aws2fa(['env', 'login', 'prod', ALICE.code, '--shell', 'bash']);
  assert.is(login.status, 0, login.stderr);
  const session = world.fake.issued[0]!;
  assert.is((await world.aws2fa(['rotate', 'prod', ALICE.code])).status, 0);
  assert.ok(await keyWorks(world.fake, session));
});

Rotate('--name, --directory and AWS_SHARED_CREDENTIALS_FILE: the key of that file is rotated, ~/.aws untouched', async ({ world }) => {
  const { mkdir, writeFile } = await import('node:fs/promises');
  const { join } = await import('node:path');
  const before = await world.snapshot();
  const acme = join(world.home, '.aws-acme');
  const elsewhere = join(world.home, 'elsewhere');
  const shared = join(world.home, 'shared-credentials');
  for (const folder of [acme, elsewhere]) {
    await mkdir(folder);
    await writeFile(join(folder, 'credentials'), STANDARD_CREDENTIALS, { mode: 0o600 });
    await writeFile(join(folder, 'config'), STANDARD_CONFIG, { mode: 0o600 });
  }
  await writeFile(shared, STANDARD_CREDENTIALS, { mode: 0o600 });
  const runs: Array<[string[], string, Record<string, string>]> = [
    [['rotate', '--name', 'acme', 'prod', ALICE.code], join(acme, 'credentials'), {}],
    [['rotate', '--directory', elsewhere, 'prod', ALICE.code], join(elsewhere, 'credentials'), {}],
    [['rotate', 'prod', ALICE.code], shared, { AWS_SHARED_CREDENTIALS_FILE: shared }],
  ];
  for (const [argv, file, env] of runs) {
    const result = await world.aws2fa(argv, { env });
    assert.is(result.status, 0, `${argv.join(' ')}: ${result.stderr}`);
    const created = world.fake.iam.created.at(-1)!;
    assert.is(await world.read(file), withKey(STANDARD_CREDENTIALS, ALICE, created), file);
    assert.is((await stat(file)).mode & 0o777, 0o600);
    // The next folder holds alice's first key, now deleted: IAM knows it again, as if restored there.
    world.fake.iam.removeKey(created.accessKeyId);
    world.fake.addUser({ ...ALICE });
  }
  assert.equal(await world.snapshot(), before);
});

Rotate('keys only in the config file: refused as login refuses them, before any request', async ({ world }) => {
  await world.writeCredentials('');
  await world.writeConfig(`[profile prod]\naws_access_key_id = ${ALICE.accessKeyId}\naws_secret_access_key = ${ALICE.secretAccessKey}\nmfa_serial = ${ALICE.mfaSerial}\n`);
  const before = await world.snapshot();
  const rotate = await world.aws2fa(['rotate', 'prod', ALICE.code]);
  const login = await world.aws2fa(['login', 'prod', ALICE.code]);
  assert.is(rotate.status, 1);
  assert.is(rotate.stderr, login.stderr);
  assert.match(rotate.stderr, /has its keys in the config file/);
  assert.is(world.fake.requests.length, 0);
  assert.equal(await world.snapshot(), before);
});

Rotate('no code and no terminal: says how to give it, nothing sent', async ({ world }) => {
  const result = await world.aws2fa(['rotate', 'prod']);
  assert.is(result.status, 1);
  assert.is(result.stderr, `aws2fa: no MFA code given and no terminal to ask on: run aws2fa rotate prod 123456 with the code from your device\n`);
  assert.is(world.fake.requests.length, 0);
});

Rotate('a read-only credentials file: refused before the code is spent', async ({ world }) => {
  const { chmod } = await import('node:fs/promises');
  await chmod(world.credentials, 0o400);
  const result = await world.aws2fa(['rotate', 'prod', ALICE.code]);
  assert.is(result.status, 1);
  assert.match(result.stderr, /read-only/);
  assert.is(world.fake.requests.length, 0);
});

Rotate('--help shows examples', async ({ world }) => {
  const result = await world.aws2fa(['rotate', '--help']);
  assert.is(result.status, 0);
  assert.match(result.stdout, /\$ aws2fa rotate prod 123456/);
  assert.match(result.stdout, /--serial/);
});

Rotate.run();
