import { execFileSync } from 'node:child_process';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ALICE } from '../helpers/home.js';
import { findTool } from '../helpers/tools.js';
import { makeWorld, STANDARD_CREDENTIALS, type World } from '../helpers/world.js';

// Issue 11, item 1: a key rotated with the real `aws configure set` while logged in is the long-term key from then
// on; neither logout nor the next login may bring back the old one in its place.
const Rotation = suite<{ world: World }>('store: keys rotated with aws configure set while logged in are never lost');

const awsCli = findTool('AWS CLI v2', ['/usr/bin/aws']);

const NEW_KEYS = { ...ALICE, accessKeyId: 'AKIAROTATEDNEWKEY001', secretAccessKey: 'rotated/new+secret=key/0000000000000000' };

Rotation.before.each(async (context) => {
  context.world = await makeWorld();
  context.world.fake.addUser(NEW_KEYS);
});
Rotation.after.each(async (context) => {
  await context.world.remove();
});

// What AWS documents for a rotation: the AWS CLI sets the two keys and leaves aws_session_token and expiration.
function rotate(world: World, keys: { accessKeyId: string; secretAccessKey: string }): void {
  const env = { PATH: process.env.PATH, HOME: world.home, AWS_SHARED_CREDENTIALS_FILE: world.credentials, AWS_CONFIG_FILE: world.config };
  execFileSync(awsCli!, ['configure', 'set', 'aws_access_key_id', keys.accessKeyId, '--profile', 'prod'], { env });
  execFileSync(awsCli!, ['configure', 'set', 'aws_secret_access_key', keys.secretAccessKey, '--profile', 'prod'], { env });
}

const NOTE = /^aws2fa: \[prod\] held long-term keys AKIA…Y001 other than the backup's AKIA…MPLE \(rotated while logged in\): /;

Rotation('logout after a rotation keeps the new keys in [prod], drops the stale backup and says so', async ({ world }) => {
  if (!awsCli) return;
  assert.is((await world.aws2fa(['login', 'prod', ALICE.code])).status, 0);
  rotate(world, NEW_KEYS);
  assert.match(await world.read(world.credentials), /aws_session_token = /, 'the AWS CLI left the session token');
  const logout = await world.aws2fa(['logout', 'prod']);
  assert.is(logout.status, 0, logout.stderr);
  assert.match(logout.stderr, NOTE);
  assert.match(logout.stderr, /kept them in \[prod\] and removed the old ones, AKIA…MPLE\n$/);
  assert.is(logout.stderr.split('\n').length, 2);
  assert.is(
    await world.read(world.credentials),
    STANDARD_CREDENTIALS.replace(ALICE.accessKeyId, NEW_KEYS.accessKeyId).replace(ALICE.secretAccessKey, NEW_KEYS.secretAccessKey),
    'the file as before, with the new keys in place of the old',
  );
});

Rotation('login after a rotation uses and backs up the new keys, and a later logout restores them', async ({ world }) => {
  if (!awsCli) return;
  assert.is((await world.aws2fa(['login', 'prod', ALICE.code])).status, 0);
  rotate(world, NEW_KEYS);
  const login = await world.aws2fa(['login', 'prod', ALICE.code]);
  assert.is(login.status, 0, login.stderr);
  assert.match(login.stderr, NOTE);
  assert.match(login.stderr, /saved them in \[prod::source-profile\] in place of the old ones, AKIA…MPLE\n$/);
  assert.is(world.fake.requests.at(-1)!.accessKeyId, NEW_KEYS.accessKeyId, 'STS was asked with the new key');
  const during = await world.read(world.credentials);
  assert.ok(during.includes(`[prod::source-profile]\naws_access_key_id = ${NEW_KEYS.accessKeyId}\naws_secret_access_key = ${NEW_KEYS.secretAccessKey}\n`));
  assert.not.ok(during.includes(ALICE.secretAccessKey));
  assert.is((await world.aws2fa(['logout', 'prod'])).status, 0);
  assert.ok((await world.read(world.credentials)).includes(`[prod]\naws_access_key_id = ${NEW_KEYS.accessKeyId}\n`));
});

Rotation('keys set by hand without a session token, beside an old backup: logout keeps them, and so does login', async ({ world }) => {
  const handEdited = `[prod]\naws_access_key_id = ${NEW_KEYS.accessKeyId}\naws_secret_access_key = ${NEW_KEYS.secretAccessKey}\nregion = eu-west-1\n\n[prod::source-profile]\naws_access_key_id = ${ALICE.accessKeyId}\naws_secret_access_key = ${ALICE.secretAccessKey}\n`;
  await world.writeCredentials(handEdited);
  const logout = await world.aws2fa(['logout', 'prod']);
  assert.is(logout.status, 0, logout.stderr);
  assert.match(logout.stderr, NOTE);
  assert.is(await world.read(world.credentials), `[prod]\naws_access_key_id = ${NEW_KEYS.accessKeyId}\naws_secret_access_key = ${NEW_KEYS.secretAccessKey}\nregion = eu-west-1\n`);
  await world.writeCredentials(handEdited);
  const login = await world.aws2fa(['login', 'prod', ALICE.code]);
  assert.is(login.status, 0, login.stderr);
  assert.match(login.stderr, NOTE);
  assert.ok((await world.read(world.credentials)).includes(`[prod::source-profile]\naws_access_key_id = ${NEW_KEYS.accessKeyId}\n`));
});

Rotation('status shows a rotated profile (AKIA key, stale session token) as long-term, not as a session', async ({ world }) => {
  if (!awsCli) return;
  assert.is((await world.aws2fa(['login', 'prod', ALICE.code])).status, 0);
  rotate(world, NEW_KEYS);
  const status = await world.aws2fa(['status', 'prod', '--json']);
  assert.is(status.status, 0, status.stderr);
  assert.is((JSON.parse(status.stdout) as { profiles: Array<{ state: string }> }).profiles[0]!.state, 'long-term');
});

Rotation.run();
