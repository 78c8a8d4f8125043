import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { cleanEnv, runBinary } from '../helpers/cli.js';
import { ALICE } from '../helpers/home.js';
import { makeWorld, type World } from '../helpers/world.js';

// A mistyped profile is answered like a mistyped command: the nearest profile of either file (role profiles
// included, `::source-profile` backups never), and "add its keys" only for a name that looks like no profile.
const Typos = suite<{ world: World }>('guide: a mistyped profile names the profile meant');

const CREDENTIALS = [
  '[alice]',
  `aws_access_key_id = ${ALICE.accessKeyId}`,
  `aws_secret_access_key = ${ALICE.secretAccessKey}`,
  '',
  '[dev]',
  'aws_access_key_id = ASIAOLDSESSION000001',
  'aws_secret_access_key = s',
  'aws_session_token = t',
  '[dev::source-profile]',
  'aws_access_key_id = AKIADEVEXAMPLE000001',
  'aws_secret_access_key = d',
  '',
].join('\n');

const CONFIG = [
  '[profile alice]',
  `mfa_serial = ${ALICE.mfaSerial}`,
  '[profile prod-admin]',
  'role_arn = arn:aws:iam::123456789012:role/admin',
  'source_profile = alice',
  'region = eu-west-1',
  '[profile staging]',
  'region = eu-west-1',
  '',
].join('\n');

Typos.before.each(async (context) => {
  context.world = await makeWorld({ credentials: CREDENTIALS, config: CONFIG });
});
Typos.after.each(async (context) => {
  await context.world.remove();
});

async function expectLine(world: World, argv: string[], line: string, status = 1): Promise<void> {
  const before = await world.snapshot();
  const result = await runBinary(argv, cleanEnv(world.home, { AWS_ENDPOINT_URL: world.fake.url }));
  assert.equal([result.status, result.stdout, result.stderr], [status, '', `aws2fa: ${line}\n`], argv.join(' '));
  assert.equal(await world.snapshot(), before, 'files unchanged');
  assert.is(world.fake.requests.length, 0, 'no request: the code is not spent');
}

Typos('a near miss of a role profile of the config file is named in login, status, logout, exec, env login and aws2fa PROFILE', async ({ world }) => {
  const line = `profile prod-admn is not in ${world.credentials} or ${world.config}; did you mean prod-admin?`;
  for (const argv of [
    ['login', 'prod-admn', ALICE.code],
    ['status', 'prod-admn'],
    ['logout', 'prod-admn'],
    ['exec', 'prod-admn', ALICE.code, '--', 'true'],
    ['env', 'login', 'prod-admn', ALICE.code],
    ['prod-admn', ALICE.code],
  ]) {
    await expectLine(world, argv, line);
  }
});

Typos('near misses of credentials profiles and of a config-only profile; a backup section is never suggested', async ({ world }) => {
  await expectLine(world, ['login', 'alcie', ALICE.code], `profile alcie is not in ${world.credentials} or ${world.config}; did you mean alice?`);
  await expectLine(world, ['login', 'stagign', ALICE.code], `profile stagign is not in ${world.credentials} or ${world.config}; did you mean staging?`);
  const devs = await runBinary(['logout', 'dev::source-profilx'], cleanEnv(world.home));
  assert.not.ok(devs.stderr.includes('did you mean dev::source-profile'), devs.stderr);
});

Typos('a name like no profile: the known profiles of both files, and how to add its keys', async ({ world }) => {
  await expectLine(
    world,
    ['login', 'xyzzy', ALICE.code],
    `profile xyzzy is not in ${world.credentials} (known profiles: alice, dev, prod-admin, staging); add its keys with: aws configure --profile xyzzy`,
  );
  await expectLine(world, ['status', 'xyzzy'], `profile xyzzy is not in ${world.credentials} (known profiles: alice, dev, prod-admin, staging); add its keys with: aws configure --profile xyzzy`);
});

Typos('a profile of the config file without keys is told where they go', async ({ world }) => {
  await expectLine(world, ['login', 'staging', ALICE.code], `profile staging of ${world.config} has no keys in ${world.credentials}; add its keys with: aws configure --profile staging`);
});

Typos.run();
