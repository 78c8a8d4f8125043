import { execFileSync } from 'node:child_process';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ALICE } from '../helpers/home.js';
import { findTool } from '../helpers/tools.js';
import { makeWorld, STANDARD_CREDENTIALS, type World } from '../helpers/world.js';

// Issue 17: one half of a new key set with the real `aws configure set` while logged in. The backup's pair is the
// only one known to work and the new half has no partner yet: login, logout and env login refuse with one line
// naming both and what to do, and change nothing; once the other half is set, it is an ordinary rotation.
const Half = suite<{ world: World }>('store: a rotation half done with aws configure set loses neither pair');

const awsCli = findTool('AWS CLI v2', ['/usr/bin/aws']);

const NEW_KEYS = { ...ALICE, accessKeyId: 'AKIAHALFDONENEWKEY01', secretAccessKey: 'half/done+new=secret/000000000000000000' };
const SESSION_ID = /^ASIA[A-Z0-9]{16}$/;

Half.before.each(async (context) => {
  context.world = await makeWorld();
  context.world.fake.addUser(NEW_KEYS);
});
Half.after.each(async (context) => {
  await context.world.remove();
});

function configureSet(world: World, key: string, value: string): void {
  const env = { PATH: process.env.PATH, HOME: world.home, AWS_SHARED_CREDENTIALS_FILE: world.credentials, AWS_CONFIG_FILE: world.config };
  execFileSync(awsCli!, ['configure', 'set', key, value, '--profile', 'prod'], { env });
}

async function loggedIn(world: World): Promise<void> {
  const login = await world.aws2fa(['login', 'prod', ALICE.code]);
  assert.is(login.status, 0, login.stderr);
}

const stsCalls = (world: World) => world.fake.requests.filter((request) => request.action === 'GetSessionToken').length;

// login, logout, env login and exec each refuse with the one line, before any request, and leave both files as they were.
async function expectRefused(world: World, line: RegExp): Promise<void> {
  const before = await world.snapshot();
  const calls = stsCalls(world);
  for (const argv of [['logout', 'prod'], ['login', 'prod', ALICE.code], ['env', 'login', 'prod', ALICE.code], ['exec', 'prod', ALICE.code, '--', 'true']]) {
    const run = await world.aws2fa(argv);
    assert.is(run.status, 1, `${argv.join(' ')}: ${run.stderr}`);
    assert.is(run.stdout, '', `${argv.join(' ')}: nothing on stdout`);
    assert.match(run.stderr, line, argv.join(' '));
    assert.is(run.stderr.split('\n').length, 2, `${argv.join(' ')}: one line`);
    assert.match(run.stderr, /nothing was changed\n$/);
    assert.not.ok(run.stderr.includes(NEW_KEYS.secretAccessKey) || run.stderr.includes(ALICE.secretAccessKey), 'no secret in the message');
    assert.equal(await world.snapshot(), before, `${argv.join(' ')}: both files byte for byte`);
  }
  assert.is(stsCalls(world), calls, 'no code spent');
}

const WITH_NEW_KEYS = STANDARD_CREDENTIALS.replace(ALICE.accessKeyId, NEW_KEYS.accessKeyId).replace(ALICE.secretAccessKey, NEW_KEYS.secretAccessKey);

async function expectLogoutKeepsNewKeys(world: World): Promise<void> {
  const logout = await world.aws2fa(['logout', 'prod']);
  assert.is(logout.status, 0, logout.stderr);
  assert.match(logout.stderr, /held long-term keys AKIA…EY01 other than the backup's AKIA…MPLE \(rotated while logged in\)/);
  assert.is(await world.read(world.credentials), WITH_NEW_KEYS, 'the new pair in [prod], the old backup gone');
}

Half('only the key id set: login, logout and env login refuse naming both keys and the missing secret; nothing changes', async ({ world }) => {
  if (!awsCli) return;
  await loggedIn(world);
  configureSet(world, 'aws_access_key_id', NEW_KEYS.accessKeyId);
  await expectRefused(
    world,
    /^aws2fa: \[prod\] in \S+ has a new aws_access_key_id AKIA…EY01 but still the session's secret, and the working long-term keys AKIA…MPLE are in \[prod::source-profile\]: set the new key's secret too \(aws configure set aws_secret_access_key NEW_VALUE --profile prod\) and run again; nothing was changed\n$/,
  );
  configureSet(world, 'aws_secret_access_key', NEW_KEYS.secretAccessKey);
  await expectLogoutKeepsNewKeys(world);
});

Half('only the secret set: login, logout and env login refuse naming the backup\'s key; then the id: login signs with the new pair', async ({ world }) => {
  if (!awsCli) return;
  await loggedIn(world);
  configureSet(world, 'aws_secret_access_key', NEW_KEYS.secretAccessKey);
  await expectRefused(
    world,
    /^aws2fa: \[prod\] in \S+ has a new aws_secret_access_key but still the session's key id ASIA…\w{4}, and the working long-term keys AKIA…MPLE are in \[prod::source-profile\]: set the new key's id too \(aws configure set aws_access_key_id NEW_VALUE --profile prod\) and run again; nothing was changed\n$/,
  );
  configureSet(world, 'aws_access_key_id', NEW_KEYS.accessKeyId);
  const login = await world.aws2fa(['login', 'prod', ALICE.code]);
  assert.is(login.status, 0, login.stderr);
  assert.is(world.fake.requests.at(-1)!.accessKeyId, NEW_KEYS.accessKeyId, 'STS asked with the new pair');
  assert.ok((await world.read(world.credentials)).includes(`[prod::source-profile]\naws_access_key_id = ${NEW_KEYS.accessKeyId}\naws_secret_access_key = ${NEW_KEYS.secretAccessKey}\n`));
  assert.is((await world.aws2fa(['logout', 'prod'])).status, 0);
  assert.is(await world.read(world.credentials), WITH_NEW_KEYS);
});

Half('only the key id set, session token and expiration removed by hand: still refused, nothing changes', async ({ world }) => {
  if (!awsCli) return;
  await loggedIn(world);
  configureSet(world, 'aws_access_key_id', NEW_KEYS.accessKeyId);
  await world.writeCredentials((await world.read(world.credentials)).replace(/aws_session_token = .*\n/, '').replace(/expiration = .*\n/, ''));
  await expectRefused(world, /has a new aws_access_key_id AKIA…EY01 but still the session's secret, and the working long-term keys AKIA…MPLE/);
});

Half('the secret first, then the key id (both halves): logout keeps the new pair and drops the old one', async ({ world }) => {
  if (!awsCli) return;
  await loggedIn(world);
  configureSet(world, 'aws_secret_access_key', NEW_KEYS.secretAccessKey);
  configureSet(world, 'aws_access_key_id', NEW_KEYS.accessKeyId);
  await expectLogoutKeepsNewKeys(world);
});

Half('another session pasted whole (ASIA key id, secret, token): not a long-term key; logout gives back the backup', async ({ world }) => {
  if (!awsCli) return;
  await loggedIn(world);
  configureSet(world, 'aws_access_key_id', 'ASIAOTHERSESSION0001');
  configureSet(world, 'aws_secret_access_key', 'other/session+secret');
  configureSet(world, 'aws_session_token', 'other-token');
  const logout = await world.aws2fa(['logout', 'prod']);
  assert.is(logout.status, 0, logout.stderr);
  assert.is(await world.read(world.credentials), STANDARD_CREDENTIALS);
});

// A backup written before aws2fa kept the session's mark: an AKIA key id beside the token `aws configure set` left
// may have come without its secret, and aws2fa cannot tell.
Half('a backup without the session mark: a key id beside a session token is refused as unclear; without the token it is a rotation', async ({ world }) => {
  if (!awsCli) return;
  await loggedIn(world);
  await world.writeCredentials((await world.read(world.credentials)).replace(/aws2fa_session = .*\n/, ''));
  configureSet(world, 'aws_access_key_id', NEW_KEYS.accessKeyId);
  configureSet(world, 'aws_secret_access_key', NEW_KEYS.secretAccessKey);
  await expectRefused(
    world,
    /^aws2fa: \[prod\] in \S+ has the key id AKIA…EY01 beside a session token, and the working long-term keys AKIA…MPLE are in \[prod::source-profile\]; aws2fa cannot tell whether its secret is the new key's: if both halves of AKIA…EY01 are set, remove aws_session_token from \[prod\], else set the secret \(aws configure set aws_secret_access_key NEW_VALUE --profile prod\); then run again; nothing was changed\n$/,
  );
  await world.writeCredentials((await world.read(world.credentials)).replace(/aws_session_token = .*\n/, ''));
  const logout = await world.aws2fa(['logout', 'prod']);
  assert.is(logout.status, 0, logout.stderr);
  assert.is(await world.read(world.credentials), WITH_NEW_KEYS);
});

Half('a backup without the session mark and an untouched session: logout gives the original file back', async ({ world }) => {
  await loggedIn(world);
  const during = await world.read(world.credentials);
  assert.match(during, /\[prod\]\naws_access_key_id = ASIA/);
  assert.ok(SESSION_ID.test(during.match(/aws2fa_session = (\S+)/)![1]!), 'the mark names the session key id');
  await world.writeCredentials(during.replace(/aws2fa_session = .*\n/, ''));
  assert.is((await world.aws2fa(['logout', 'prod'])).status, 0);
  assert.is(await world.read(world.credentials), STANDARD_CREDENTIALS);
});

Half.run();
