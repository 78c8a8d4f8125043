import { lstat, readdir, readlink, rename, symlink, chmod, writeFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ALICE } from '../helpers/home.js';
import { sessionMarkLine } from '../helpers/session-mark.js';
import { makeWorld, scriptedTerminal, STANDARD_CREDENTIALS, type World } from '../helpers/world.js';

const Login = suite<{ world: World }>('commands/login: file mode writes a session and keeps the long-term keys');

Login.before.each(async (context) => {
  context.world = await makeWorld();
});
Login.after.each(async (context) => {
  await context.world.remove();
});

const stsCalls = (world: World) => world.fake.requests.filter((r) => r.action === 'GetSessionToken');

Login('login sends serial, code and duration signed by the long-term key, and writes session + backup', async ({ world }) => {
  const result = await world.aws2fa(['login', 'prod', '123456']);
  assert.is(result.stderr, '');
  assert.is(result.status, 0);
  assert.match(result.stdout, /^Logged in prod until \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ \((?:12h00m|11h59m) left\)\./);
  const [call] = stsCalls(world);
  assert.equal(
    { serial: call!.params.SerialNumber, code: call!.params.TokenCode, duration: call!.params.DurationSeconds },
    { serial: ALICE.mfaSerial, code: '123456', duration: '43200' },
  );
  assert.is(call!.accessKeyId, ALICE.accessKeyId);
  assert.ok(call!.signatureValid);
  assert.is(call!.region, 'eu-west-1', 'the profile region from the config file');
  const session = world.fake.issued[0]!;
  const expected = STANDARD_CREDENTIALS.replace(
    `[prod]\naws_access_key_id = ${ALICE.accessKeyId}\naws_secret_access_key = ${ALICE.secretAccessKey}\n`,
    `[prod]\naws_access_key_id = ${session.accessKeyId}\naws_secret_access_key = ${session.secretAccessKey}\n` +
      `aws_session_token = ${session.sessionToken}\nexpiration = ${session.expiration.toISOString().replace('.000Z', 'Z')}\n\n` +
      `[prod::source-profile]\naws_access_key_id = ${ALICE.accessKeyId}\naws_secret_access_key = ${ALICE.secretAccessKey}\n${sessionMarkLine(session)}\n`,
  );
  assert.is(await world.read(world.credentials), expected);
  assert.is(await world.mode(world.credentials), 0o600);
});

Login('a second login signs with the long-term key from the backup and never overwrites the backup', async ({ world }) => {
  await world.aws2fa(['login', 'prod', '123456']);
  const afterFirst = await world.read(world.credentials);
  const backup = afterFirst.slice(afterFirst.indexOf('[prod::source-profile]'));
  const second = await world.aws2fa(['login', 'prod', '123456']);
  assert.is(second.status, 0, second.stderr);
  const calls = stsCalls(world);
  assert.is(calls[1]!.accessKeyId, ALICE.accessKeyId);
  assert.ok(calls[1]!.signatureValid);
  const afterSecond = await world.read(world.credentials);
  const [first, second2] = [world.fake.issued[0]!, world.fake.issued[1]!];
  assert.is(afterSecond.slice(afterSecond.indexOf('[prod::source-profile]')), backup.replace(sessionMarkLine(first), sessionMarkLine(second2)), 'the keys as they were; the mark names the new session');
  assert.ok(afterSecond.includes(world.fake.issued[1]!.sessionToken));
});

Login('login then logout gives back the original file byte for byte', async ({ world }) => {
  const before = await world.snapshot();
  assert.is((await world.aws2fa(['login', 'prod', '123456'])).status, 0);
  const logout = await world.aws2fa(['logout', 'prod']);
  assert.is(logout.status, 0);
  assert.is(logout.stdout, 'Logged out prod: its long-term keys are back in [prod].\n');
  assert.equal(await world.snapshot(), before);
});

Login('logout when not logged in says so, exits 0 and changes nothing', async ({ world }) => {
  const before = await world.snapshot();
  const result = await world.aws2fa(['logout', 'prod']);
  assert.equal([result.status, result.stdout, result.stderr], [0, 'prod is not logged in (it has its long-term keys); nothing changed.\n', '']);
  assert.equal(await world.snapshot(), before);
});

Login('--duration and its alias --lifespan reach STS; out of range is a usage error before any request', async ({ world }) => {
  assert.is((await world.aws2fa(['login', 'prod', '123456', '--duration', '3600'])).status, 0);
  assert.is((await world.aws2fa(['login', 'prod', '123456', '--lifespan', '900'])).status, 0);
  assert.equal(stsCalls(world).map((c) => c.params.DurationSeconds), ['3600', '900']);
  const before = await world.snapshot();
  for (const bad of ['899', '129601', '1x', '3600.5']) {
    const result = await world.aws2fa(['login', 'prod', '123456', '--duration', bad]);
    assert.is(result.status, 2, bad);
    assert.is(result.stdout, '');
    assert.match(result.stderr, /^aws2fa: Invalid value for --duration: .*\n$/);
  }
  assert.is(stsCalls(world).length, 2);
  assert.equal(await world.snapshot(), before);
});

Login('the aliases `aws2fa PROFILE CODE` and `aws2fa mfa login|logout` do the same', async ({ world }) => {
  const before = await world.snapshot();
  assert.is((await world.aws2fa(['prod', '123456'])).status, 0);
  assert.match(await world.read(world.credentials), /\[prod::source-profile\]/);
  assert.is((await world.aws2fa(['mfa', 'logout', 'prod'])).status, 0);
  assert.equal(await world.snapshot(), before);
  assert.is((await world.aws2fa(['mfa', 'login', 'prod', '123456'])).status, 0);
  assert.is(stsCalls(world).length, 2);
});

Login('PROFILE defaults to $AWS_PROFILE, else default', async ({ world }) => {
  world.fake.addUser({ accessKeyId: 'AKIADEFAULTEXAMPLE00', secretAccessKey: 'default/secret+key=', mfaSerial: 'arn:aws:iam::123456789012:mfa/dflt', code: '654321' });
  assert.is((await world.aws2fa(['login', 'prod', '123456'], { env: { AWS_PROFILE: 'default' } })).status, 0);
  const viaEnv = await world.aws2fa(['login'], { env: { AWS_PROFILE: 'prod' }, terminal: scriptedTerminal(['123456']) });
  assert.is(viaEnv.status, 0, viaEnv.stderr);
  const viaDefault = await world.aws2fa(['login', '--serial', 'arn:aws:iam::123456789012:mfa/dflt'], { terminal: scriptedTerminal(['654321']) });
  assert.is(viaDefault.status, 0, viaDefault.stderr);
  assert.equal(stsCalls(world).map((c) => c.accessKeyId), [ALICE.accessKeyId, ALICE.accessKeyId, 'AKIADEFAULTEXAMPLE00']);
});

Login.run();
