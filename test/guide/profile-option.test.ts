import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { cleanEnv, runBinary } from '../helpers/cli.js';
import { ALICE } from '../helpers/home.js';
import { makeWorld, type World } from '../helpers/world.js';

// `--profile NAME` and `-p NAME` wherever PROFILE is, as the AWS CLI's users type it; PROFILE and --profile naming
// two profiles is a usage error that changes nothing and spends no code.
const ProfileOption = suite<{ world: World }>('guide: --profile NAME and -p NAME, as the AWS CLI takes them');

ProfileOption.before.each(async (context) => {
  context.world = await makeWorld();
});
ProfileOption.after.each(async (context) => {
  await context.world.remove();
});

const envOf = (world: World, extra: Record<string, string> = {}) => cleanEnv(world.home, { AWS_ENDPOINT_URL: world.fake.url, ...extra });

ProfileOption('login, the default command and logout take --profile / -p, the code after it or before it', async ({ world }) => {
  const before = await world.snapshot();
  for (const argv of [
    ['login', '--profile', 'prod', ALICE.code],
    ['login', ALICE.code, '-p', 'prod'],
    ['--profile', 'prod', ALICE.code],
    ['-p', 'prod'],
  ]) {
    const login = await runBinary(argv, envOf(world));
    if (!argv.includes(ALICE.code)) {
      assert.is(login.status, 1, argv.join(' '));
      assert.match(login.stderr, /no MFA code given and no terminal to ask on: run aws2fa login prod 123456/, 'the profile is prod');
      continue;
    }
    assert.is(login.status, 0, `${argv.join(' ')}: ${login.stderr}`);
    assert.match(login.stdout, /^Logged in prod until /, argv.join(' '));
    assert.is(world.fake.requests.at(-1)!.accessKeyId, ALICE.accessKeyId);
  }
  const logout = await runBinary(['logout', '-p', 'prod'], envOf(world));
  assert.is(logout.status, 0, logout.stderr);
  assert.match(logout.stdout, /^Logged out prod/);
  assert.equal(await world.snapshot(), before);
});

ProfileOption('status and env login take --profile; exec takes it before the command', async ({ world }) => {
  const status = await runBinary(['status', '--profile', 'prod'], envOf(world));
  assert.is(status.status, 0, status.stderr);
  assert.match(status.stdout, /^prod +long-term$/m);
  assert.not.match(status.stdout, /^default /m, 'only that profile');
  const envLogin = await runBinary(['env', 'login', '-p', 'prod', ALICE.code, '--shell', 'sh'], envOf(world));
  assert.is(envLogin.status, 0, envLogin.stderr);
  assert.match(envLogin.stdout, /^export AWS2FA_PROFILE='prod'$/m);
  for (const argv of [
    ['exec', '--profile', 'prod', ALICE.code, '--', 'printenv', 'AWS2FA_PROFILE'],
    ['exec', '-p', 'prod', ALICE.code, 'printenv', 'AWS2FA_PROFILE'],
  ]) {
    const exec = await runBinary(argv, envOf(world));
    assert.equal([exec.status, exec.stdout, exec.stderr], [0, 'prod\n', ''], argv.join(' '));
  }
});

ProfileOption('PROFILE and --profile naming two profiles: a usage error, nothing sent, nothing written', async ({ world }) => {
  const before = await world.snapshot();
  for (const argv of [
    ['login', 'default', ALICE.code, '--profile', 'prod'],
    ['default', '-p', 'prod'],
    ['logout', 'default', '--profile', 'prod'],
    ['status', 'default', '-p', 'prod'],
    ['env', 'login', 'default', '--profile', 'prod'],
  ]) {
    const result = await runBinary(argv, envOf(world));
    assert.equal([result.status, result.stdout, result.stderr], [2, '', 'aws2fa: --profile prod and PROFILE default name two profiles: give one\n'], argv.join(' '));
  }
  assert.is(world.fake.requests.length, 0);
  assert.equal(await world.snapshot(), before);
  const same = await runBinary(['status', 'prod', '--profile', 'prod'], envOf(world));
  assert.is(same.status, 0, 'the same profile twice is fine');
});

ProfileOption('--profile is in the help of every command that takes PROFILE', async ({ world }) => {
  for (const path of [['login'], ['logout'], ['status'], ['env', 'login'], ['exec']]) {
    const help = await runBinary([...path, '--help'], cleanEnv(world.home));
    assert.match(help.stdout, /^ {2}--profile,-p PROFILE +The profile, as the AWS CLI takes it/m, path.join(' '));
  }
});

ProfileOption.run();
