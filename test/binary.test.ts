import { spawnSync } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { BINARY, cleanEnv, runBinary } from './helpers/cli.js';
import { ALICE } from './helpers/home.js';
import { makeWorld, type World } from './helpers/world.js';

// The built bundle, run as users run it.
const Binary = suite<{ world: World }>('binary: the built aws2fa as a real process');

Binary.before.each(async (context) => {
  context.world = await makeWorld();
});
Binary.after.each(async (context) => {
  await context.world.remove();
});

const VERSION = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;
const COMMANDS: string[][] = [['login'], ['logout'], ['status'], ['env', 'login'], ['env', 'logout'], ['init'], ['mfa', 'login'], ['mfa', 'logout']];

Binary('--version prints the package.json version', async ({ world }) => {
  const result = await runBinary(['--version'], cleanEnv(world.home));
  assert.equal([result.status, result.stdout, result.stderr], [0, `${VERSION}\n`, '']);
});

Binary('--help lists every command, and every command --help shows examples', async ({ world }) => {
  const help = await runBinary(['--help'], cleanEnv(world.home));
  assert.is(help.status, 0);
  for (const path of COMMANDS.filter((p) => p[0] !== 'mfa')) assert.ok(help.stdout.includes(`aws2fa ${path.join(' ')}`), path.join(' '));
  for (const path of COMMANDS) {
    const result = await runBinary([...path, '--help'], cleanEnv(world.home));
    assert.is(result.status, 0, path.join(' '));
    assert.match(result.stdout, /Examples/, path.join(' '));
    assert.match(result.stdout, /\$ (eval "\$\()?aws2fa /, path.join(' '));
  }
});

// The launcher answers these itself, before the CLI is loaded: a stdout that cannot take the answer is one line too.
Binary('init, --version and --help to a full device (>/dev/full): one line, exit 1, no stack trace', async ({ world }) => {
  const full = openSync('/dev/full', 'w');
  try {
    for (const argv of [['init', 'bash'], ['init', 'fish'], ['--version'], ['--help']]) {
      const result = spawnSync(process.execPath, [BINARY, ...argv], { env: cleanEnv(world.home) as NodeJS.ProcessEnv, stdio: ['ignore', full, 'pipe'], encoding: 'utf8', timeout: 15_000 });
      assert.equal([result.status, result.stderr], [1, 'aws2fa: could not write the output to stdout (ENOSPC)\n'], argv.join(' '));
    }
  } finally {
    closeSync(full);
  }
});

Binary('login through the binary: our messages only, no AWS SDK Node-version warning on stderr', async ({ world }) => {
  const env = cleanEnv(world.home, { AWS_ENDPOINT_URL: world.fake.url });
  const login = await runBinary(['login', 'prod', ALICE.code], env);
  assert.is(login.status, 0, login.stderr);
  assert.is(login.stderr, '');
  assert.match(login.stdout, /^Logged in prod until .*\nLong-term keys are kept in \[prod::source-profile\]; aws2fa logout prod puts them back\.\n$/);
  const envLogin = await runBinary(['env', 'login', 'prod', ALICE.code, '--shell', 'sh'], env);
  assert.is(envLogin.status, 0);
  assert.match(envLogin.stderr, /^This shell has a session of prod until .*\n$/);
  assert.not.match(envLogin.stderr, /NodeVersionSupportWarning|Warning/);
});

Binary('errors go to stderr, never stdout, with exit status 1 or 2', async ({ world }) => {
  const env = cleanEnv(world.home, { AWS_ENDPOINT_URL: world.fake.url });
  const wrong = await runBinary(['login', 'prod', '000000'], env);
  assert.equal([wrong.status, wrong.stdout], [1, '']);
  assert.match(wrong.stderr, /^aws2fa: AWS rejected the MFA code/);
  const usage = await runBinary(['env', 'login', 'prod', '--duration', 'x'], env);
  assert.equal([usage.status, usage.stdout], [2, '']);
});

Binary('8 logins at once leave one intact backup with the long-term keys', async ({ world }) => {
  const env = cleanEnv(world.home, { AWS_ENDPOINT_URL: world.fake.url });
  const results = await Promise.all(Array.from({ length: 8 }, () => runBinary(['login', 'prod', ALICE.code], env)));
  for (const result of results) assert.is(result.status, 0, result.stderr);
  const text = await world.read(world.credentials);
  assert.is(text.split('[prod::source-profile]').length, 2, 'exactly one backup');
  assert.ok(text.includes(`[prod::source-profile]\naws_access_key_id = ${ALICE.accessKeyId}\naws_secret_access_key = ${ALICE.secretAccessKey}\n`));
  assert.ok(world.fake.issued.some((session) => text.includes(`aws_session_token = ${session.sessionToken}\n`)));
  for (const request of world.fake.requests) assert.is(request.accessKeyId, ALICE.accessKeyId, 'every login signed with the long-term key');
  const logout = await runBinary(['logout', 'prod'], env);
  assert.is(logout.status, 0);
  assert.is(await world.read(world.credentials), (await import('./helpers/world.js')).STANDARD_CREDENTIALS);
});

Binary.run();
