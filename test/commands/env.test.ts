import { stat } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ALICE } from '../helpers/home.js';
import { makeFakeDocker, pathWith } from '../helpers/fake-docker.js';
import { makeWorld, type World } from '../helpers/world.js';

const Env = suite<{ world: World }>('commands/env: shell code on stdout only, no file written');

Env.before.each(async (context) => {
  context.world = await makeWorld();
});
Env.after.each(async (context) => {
  await context.world.remove();
});

async function mtimes(world: World) {
  return [(await stat(world.credentials)).mtimeMs, (await stat(world.config)).mtimeMs];
}

Env('env login prints exactly the contract exports, quoted, and touches no file', async ({ world }) => {
  const before = await world.snapshot();
  const times = await mtimes(world);
  const result = await world.aws2fa(['env', 'login', 'prod', ALICE.code, '--shell', 'bash'], { env: { AWS_ACCESS_KEY_ID: 'ASIAOLDSESSION000001', AWS_SESSION_TOKEN: 'old' } });
  assert.is(result.status, 0, result.stderr);
  const session = world.fake.issued[0]!;
  const expiration = session.expiration.toISOString().replace('.000Z', 'Z');
  const lines = result.stdout.trimEnd().split('\n');
  for (const name of ['AWS_PROFILE', 'AWS_DEFAULT_PROFILE', 'AWS_SECURITY_TOKEN']) assert.ok(lines.includes(`unset ${name}`), name);
  const exports = Object.fromEntries(lines.filter((l) => l.startsWith('export ')).map((l) => /^export (\w+)='(.*)'$/.exec(l)!.slice(1, 3)));
  assert.equal(exports, {
    AWS_ACCESS_KEY_ID: session.accessKeyId,
    AWS_SECRET_ACCESS_KEY: session.secretAccessKey,
    AWS_SESSION_TOKEN: session.sessionToken,
    AWS_SESSION_EXPIRATION: expiration,
    AWS_CREDENTIAL_EXPIRATION: expiration,
    AWS2FA_PROFILE: 'prod',
    AWS2FA_EXPIRES: String(Math.floor(session.expiration.getTime() / 1000)),
    AWS_REGION: 'eu-west-1',
    AWS_DEFAULT_REGION: 'eu-west-1',
    AWS2FA_REGION: 'eu-west-1',
  });
  assert.not.match(result.stdout, /AWS_VAULT/);
  assert.match(result.stderr, /^This shell has a session of prod until .* \((?:12h00m|11h59m) left\)\.\n$/);
  assert.is(world.fake.requests[0]!.accessKeyId, ALICE.accessKeyId, 'long-term key from the file, not the environment');
  assert.equal(await world.snapshot(), before);
  assert.equal(await mtimes(world), times);
});

Env('env login takes the long-term keys from the backup while the profile is in a file-mode session', async ({ world }) => {
  await world.aws2fa(['login', 'prod', ALICE.code]);
  const before = await world.snapshot();
  const result = await world.aws2fa(['env', 'login', 'prod', ALICE.code]);
  assert.is(result.status, 0, result.stderr);
  assert.is(world.fake.requests[1]!.accessKeyId, ALICE.accessKeyId);
  assert.equal(await world.snapshot(), before);
});

Env('--shell fish prints fish code; the default follows $SHELL, else POSIX sh', async ({ world }) => {
  const fish = await world.aws2fa(['env', 'login', 'prod', ALICE.code, '--shell', 'fish']);
  assert.match(fish.stdout, /^set -gx AWS_ACCESS_KEY_ID 'ASIA/m);
  const fromEnv = await world.aws2fa(['env', 'login', 'prod', ALICE.code], { env: { SHELL: '/usr/bin/fish' } });
  assert.match(fromEnv.stdout, /^set -gx AWS_SESSION_TOKEN '/m);
  const posix = await world.aws2fa(['env', 'login', 'prod', ALICE.code], { env: { SHELL: '/bin/tcsh' } });
  assert.match(posix.stdout, /^export AWS_SESSION_TOKEN='/m);
});

Env('every failure leaves stdout empty: bad code, AWS refusal, usage errors, unknown shell', async ({ world }) => {
  const before = await world.snapshot();
  const cases: Array<[string[], number, RegExp]> = [
    [['env', 'login', 'prod', '12'], 2, /the MFA code must be the 6 digits/],
    [['env', 'login', 'prod', '000000'], 1, /AWS rejected the MFA code/],
    [['env', 'login', 'nope', ALICE.code], 1, /profile nope is not in/],
    [['env', 'login', 'prod', ALICE.code, '--duration', '5'], 2, /Invalid value for --duration/],
    [['env', 'login', 'prod', ALICE.code, '--shell', 'tcsh'], 2, /Invalid value for --shell/],
    [['env', 'login', 'prod', ALICE.code, '--bogus'], 2, /^aws2fa: unknown option --bogus \(see aws2fa env login --help\)\n$/],
    [['env', 'login', 'prod', ALICE.code, '--name', 'a', '--directory', 'b'], 2, /mutually exclusive/],
    [['env', 'logout', '--shell', 'tcsh'], 2, /Invalid value for --shell/],
  ];
  for (const [argv, status, message] of cases) {
    const result = await world.aws2fa(argv);
    assert.is(result.stdout, '', argv.join(' '));
    assert.is(result.status, status, argv.join(' '));
    assert.match(result.stderr, message);
  }
  assert.equal(await world.snapshot(), before);
});

Env('env logout prints the unsets for the chosen shell', async ({ world }) => {
  const posix = await world.aws2fa(['env', 'logout', '--shell', 'zsh'], { env: { AWS2FA_PROFILE: 'prod' } });
  assert.is(posix.status, 0);
  for (const name of ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_SESSION_EXPIRATION', 'AWS_CREDENTIAL_EXPIRATION', 'AWS2FA_PROFILE', 'AWS2FA_EXPIRES']) {
    assert.match(posix.stdout, new RegExp(`^unset ${name}$`, 'm'));
  }
  assert.match(posix.stderr, /session of prod ends/);
  const fish = await world.aws2fa(['env', 'logout', '--shell', 'fish']);
  assert.match(fish.stdout, /set -e -g AWS_SESSION_TOKEN/);
});

Env('init prints the hook files themselves; an unknown shell is a usage error on stderr', async ({ world }) => {
  const sh = readFileSync(new URL('../../shell/aws2fa.sh', import.meta.url), 'utf8');
  const fish = readFileSync(new URL('../../shell/aws2fa.fish', import.meta.url), 'utf8');
  assert.is((await world.aws2fa(['init', 'bash'])).stdout, sh);
  assert.is((await world.aws2fa(['init', 'zsh'])).stdout, sh);
  assert.is((await world.aws2fa(['init', 'fish'])).stdout, fish);
  const bad = await world.aws2fa(['init', 'tcsh']);
  assert.equal([bad.status, bad.stdout], [2, '']);
  assert.match(bad.stderr, /^aws2fa: Invalid value for SHELL: expected one of .*bash.*zsh.*fish/);
});

Env('env login --ecr: docker messages on stderr, stdout stays shell code; a failed region gives status 3 with the session printed', async ({ world }) => {
  const docker = await makeFakeDocker({ failOn: 'us-west-2' });
  try {
    const ok = await world.aws2fa(['env', 'login', 'prod', ALICE.code, '--ecr', '--shell', 'bash'], { env: { PATH: pathWith(docker.bin) } });
    assert.is(ok.status, 0, ok.stderr);
    assert.ok(ok.stdout.split('\n').every((line) => line === '' || /^(export|unset|if) /.test(line)), ok.stdout);
    assert.match(ok.stderr, /^ECR eu-west-1: logged in to 123456789012\.dkr\.ecr\.eu-west-1\.amazonaws\.com$/m);
    const partial = await world.aws2fa(['env', 'login', 'prod', ALICE.code, '--ecr-region', 'us-west-2', '--shell', 'bash'], { env: { PATH: pathWith(docker.bin) } });
    assert.is(partial.status, 3);
    assert.match(partial.stdout, new RegExp(`^export AWS_SESSION_TOKEN='${world.fake.issued[1]!.sessionToken.replace(/[+/=]/g, '\\$&')}'$`, 'm'));
    assert.match(partial.stderr, /^ECR us-west-2: failed: docker login exited with status 1/m);
    for (const password of world.fake.ecrPasswords) assert.not.ok(partial.stdout.includes(password) || partial.stderr.includes(password));
  } finally {
    await docker.remove();
  }
});

Env.run();
