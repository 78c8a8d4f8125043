import { execFileSync, spawnSync } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { rm, truncate } from 'node:fs/promises';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { BINARY, cleanEnv } from '../helpers/cli.js';
import { ALICE } from '../helpers/home.js';
import { runBinaryGuarded } from '../helpers/processes.js';
import { makeWorld, STANDARD_CREDENTIALS, type World } from '../helpers/world.js';

// Issue 11, item 4: whatever a path points at, a run ends with one clear line: no hang on a FIFO, no endless read
// of a device, no file of gigabytes in memory.
const Bounded = suite<{ world: World }>('store: a FIFO, a device or a huge file as credentials or config file: one line, no hang');

Bounded.before.each(async (context) => {
  context.world = await makeWorld();
});
Bounded.after.each(async (context) => {
  await context.world.remove();
});

async function expectOneLine(world: World, argv: string[], env: Record<string, string>, message: RegExp): Promise<void> {
  const requests = world.fake.requests.length;
  const result = await runBinaryGuarded(argv, cleanEnv(world.home, { AWS_ENDPOINT_URL: world.fake.url, ...env }), { guardMs: 15_000 });
  assert.not.ok(result.guardKilled, `${argv.join(' ')} hung`);
  assert.is(result.status, 1, result.stderr);
  assert.is(result.stdout, '');
  assert.match(result.stderr, message);
  assert.is(result.stderr.split('\n').length, 2, `one line: ${JSON.stringify(result.stderr)}`);
  assert.is(world.fake.requests.length, requests, 'no request to AWS');
}

const EVERY = [['login', 'prod', ALICE.code], ['logout', 'prod'], ['status']];

Bounded('a FIFO as the credentials file: every command ends at once with one line', async ({ world }) => {
  await rm(world.credentials);
  execFileSync('mkfifo', ['-m', '600', world.credentials]);
  for (const argv of EVERY) await expectOneLine(world, argv, {}, /credentials is a FIFO \(named pipe\), not a regular file: point it at an AWS credentials or config file/);
});

Bounded('a FIFO as the config file, and a device as the credentials file: one line each', async ({ world }) => {
  const fifo = `${world.home}/config-fifo`;
  execFileSync('mkfifo', [fifo]);
  await expectOneLine(world, ['login', 'prod', ALICE.code], { AWS_CONFIG_FILE: fifo }, /config-fifo is a FIFO \(named pipe\), not a regular file/);
  for (const argv of EVERY) await expectOneLine(world, argv, { AWS_SHARED_CREDENTIALS_FILE: '/dev/zero' }, /^aws2fa: \/dev\/zero is a device, not a regular file/);
});

Bounded('/dev/null as the config file reads as an empty one, as the AWS CLI reads it', async ({ world }) => {
  const result = await runBinaryGuarded(['login', 'prod', ALICE.code, '--serial', ALICE.mfaSerial], cleanEnv(world.home, { AWS_ENDPOINT_URL: world.fake.url, AWS_CONFIG_FILE: '/dev/null' }));
  assert.is(result.status, 0, result.stderr);
});

Bounded('a credentials file over 10 MiB is refused with one line, without reading it all', async ({ world }) => {
  await world.writeCredentials(STANDARD_CREDENTIALS);
  await truncate(world.credentials, 11 * 1024 * 1024);
  for (const argv of EVERY) await expectOneLine(world, argv, {}, /credentials is larger than 10 MiB, far more than any AWS credentials or config file: check the path/);
});

// Logout needs no network: the child may run synchronously, its stdout on /dev/full.
Bounded('logout >/dev/full: the file is written, one line says so, exit 1, no stack trace', async ({ world }) => {
  assert.is((await world.aws2fa(['login', 'prod', ALICE.code])).status, 0);
  const full = openSync('/dev/full', 'w');
  try {
    const result = spawnSync(process.execPath, [BINARY, 'logout', 'prod'], { env: cleanEnv(world.home) as NodeJS.ProcessEnv, stdio: ['ignore', full, 'pipe'], encoding: 'utf8', timeout: 15_000 });
    assert.is(result.status, 1, result.stderr);
    assert.is(result.stderr, `aws2fa: could not write the output to stdout (ENOSPC); ${world.credentials} WAS written\n`);
  } finally {
    closeSync(full);
  }
  assert.is(await world.read(world.credentials), STANDARD_CREDENTIALS, 'logged out all the same');
});

Bounded.run();
