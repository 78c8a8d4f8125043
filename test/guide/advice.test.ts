import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { cleanEnv, runBinary } from '../helpers/cli.js';
import { ALICE } from '../helpers/home.js';
import { makeWorld, STANDARD_CREDENTIALS, type World } from '../helpers/world.js';

// The advice in an error fits the files in use: the folder of --name or --directory, keys in the wrong file, a role.
const Advice = suite<{ world: World }>('guide: advice that fits the situation');

Advice.before.each(async (context) => {
  context.world = await makeWorld();
});
Advice.after.each(async (context) => {
  await context.world.remove();
});

async function expectError(world: World, argv: string[], line: string, extraEnv: Record<string, string> = {}): Promise<void> {
  const before = await world.snapshot();
  const result = await runBinary(argv, cleanEnv(world.home, { AWS_ENDPOINT_URL: world.fake.url, ...extraEnv }));
  assert.equal([result.status, result.stdout, result.stderr], [1, '', `aws2fa: ${line}\n`], argv.join(' '));
  assert.equal(await world.snapshot(), before);
  assert.is(world.fake.requests.length, 0, 'no request: the code is not spent');
}

Advice('with --name or --directory, the create-it hint names that file to the AWS CLI, not ~/.aws', async ({ world }) => {
  const acme = join(world.home, '.aws-acme', 'credentials');
  const create = (path: string, profile: string) => `AWS_SHARED_CREDENTIALS_FILE=${path} aws configure --profile ${profile}`;
  await expectError(world, ['login', 'prod', ALICE.code, '--name', 'acme'], `there is no credentials file at ${acme}: create it with ${create(acme, 'prod')}`);
  await expectError(world, ['env', 'login', 'prod', ALICE.code, '--name', 'acme'], `there is no credentials file at ${acme}: create it with ${create(acme, 'prod')}`);
  await expectError(world, ['logout', 'dev', '--name', 'acme'], `there is no credentials file at ${acme}: create it with ${create(acme, 'dev')}`);
  const other = join(world.home, 'other folder');
  await mkdir(other);
  await writeFile(join(other, 'credentials'), '[dev]\nregion = eu-west-1\n');
  const quoted = `'${join(other, 'credentials')}'`;
  await expectError(world, ['login', 'prod', ALICE.code, '--directory', other], `profile prod is not in ${join(other, 'credentials')} (known profiles: dev); add its keys with: ${create(quoted, 'prod')}`);
  await expectError(world, ['login', 'dev', ALICE.code, '--directory', other], `[dev] in ${join(other, 'credentials')} has no aws_access_key_id and aws_secret_access_key; add them with: ${create(quoted, 'dev')}`);
});

Advice('a credentials file named by AWS_SHARED_CREDENTIALS_FILE is named in the hint; ~/.aws/credentials needs no naming', async ({ world }) => {
  const elsewhere = join(world.home, 'keys.ini');
  await expectError(world, ['login', 'prod', ALICE.code], `there is no credentials file at ${elsewhere}: create it with ${`AWS_SHARED_CREDENTIALS_FILE=${elsewhere} aws configure --profile prod`}`, {
    AWS_SHARED_CREDENTIALS_FILE: elsewhere,
  });
  await expectError(world, ['login', 'nope', ALICE.code], `profile nope is not in ${world.credentials} (known profiles: default, prod); add its keys with: aws configure --profile nope`);
});

Advice('keys that sit only in the config file: move them to the credentials file', async ({ world }) => {
  await world.writeConfig(`[profile cfg]\naws_access_key_id = ${ALICE.accessKeyId}\naws_secret_access_key = ${ALICE.secretAccessKey}\nmfa_serial = ${ALICE.mfaSerial}\n`);
  const line =
    `profile cfg has its keys in the config file ${world.config}, where aws2fa does not keep or back them up: ` +
    `move aws_access_key_id and aws_secret_access_key to [cfg] in the credentials file ${world.credentials}`;
  for (const argv of [['login', 'cfg', ALICE.code], ['cfg', ALICE.code], ['env', 'login', 'cfg', ALICE.code], ['logout', 'cfg'], ['status', 'cfg']]) {
    await expectError(world, argv, line);
  }
});

Advice('a role profile is never told to add its keys', async ({ world }) => {
  await world.writeConfig(`[profile admin]\nrole_arn = arn:aws:iam::123456789012:role/admin\nsource_profile = nokeys\n[profile loose]\nrole_arn = arn:aws:iam::123456789012:role/x\n`);
  const line = `source_profile of profile admin is nokeys, which is neither in ${world.credentials} nor in ${world.config}`;
  for (const argv of [['login', 'admin', ALICE.code], ['env', 'login', 'admin', ALICE.code]]) {
    await expectError(world, argv, line);
  }
  const loose = await runBinary(['login', 'loose', ALICE.code], cleanEnv(world.home, { AWS_ENDPOINT_URL: world.fake.url }));
  assert.is(loose.status, 1);
  assert.match(loose.stderr, /^aws2fa: .*loose.*\n$/);
  assert.not.match(loose.stderr, /add (its|them)|aws configure --profile loose/);
});

Advice('the logout reminder comes with the login that made the backup, not with a login that renews the session', async ({ world }) => {
  const env = cleanEnv(world.home, { AWS_ENDPOINT_URL: world.fake.url });
  const reminder = 'Long-term keys are kept in [prod::source-profile]; aws2fa logout prod puts them back.\n';
  const first = await runBinary(['login', 'prod', ALICE.code], env);
  assert.is(first.status, 0, first.stderr);
  assert.ok(first.stdout.endsWith(`left).\n${reminder}`), first.stdout);
  const again = await runBinary(['login', 'prod', ALICE.code], env);
  assert.is(again.status, 0, again.stderr);
  assert.match(again.stdout, /^Logged in prod until \S+ \(\d+h\d\dm left\)\.\n$/);
  assert.is((await runBinary(['logout', 'prod'], env)).status, 0);
  assert.is(await world.read(world.credentials), STANDARD_CREDENTIALS);
  const afterLogout = await runBinary(['login', 'prod', ALICE.code], env);
  assert.ok(afterLogout.stdout.endsWith(reminder), 'a new backup, a new reminder');
});

Advice.run();
