import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { cleanEnv } from '../helpers/cli.js';
import { ALICE } from '../helpers/home.js';
import { runBinaryGuarded } from '../helpers/processes.js';
import { makeWorld, type World } from '../helpers/world.js';

// `aws2fa exec PROFILE [CODE] [--] COMMAND…`: the first word is the profile, a 6-digit word right after it the code,
// and from the command's first word on nothing is aws2fa's, with or without `--`.
const Argv = suite<{ world: World }>('exec: the command\'s words are the command\'s');

Argv.before.each(async (context) => {
  context.world = await makeWorld();
});
Argv.after.each(async (context) => {
  await context.world.remove();
});

const envOf = (world: World, extra: Record<string, string> = {}) => cleanEnv(world.home, { AWS_ENDPOINT_URL: world.fake.url, ...extra });

for (const [option, value] of [['--region', 'us-west-2'], ['--duration', '900'], ['--debug', undefined], ['--name', 'acme'], ['--region=us-west-2', undefined]] as const) {
  const words = value === undefined ? [option] : [option, value];
  Argv(`${option} after the command's first word, without --, is not taken by aws2fa: one line with the line to type, no code spent`, async ({ world }) => {
    const before = await world.snapshot();
    const result = await runBinaryGuarded(['exec', 'prod', ALICE.code, 'aws', 's3', 'ls', ...words], envOf(world));
    const line = `aws2fa exec prod ${ALICE.code} -- aws s3 ls ${words.join(' ')}`;
    assert.equal([result.status, result.stdout], [2, '']);
    assert.is(result.stderr, `aws2fa: ${option} comes after the command aws, so it is not aws2fa's: to pass it to the command, put -- before the command: ${line}; to give it to aws2fa, put it before the command\n`);
    assert.is(world.fake.requests.length, 0, 'no code spent');
    assert.equal(await world.snapshot(), before);
  });
}

Argv('after --, aws2fa\'s option names are the command\'s: passed on as typed, none of them applied', async ({ world }) => {
  const words = ['s3', '--region', 'us-west-2', '--duration', '900', '--debug', '--name', 'acme', '--serial', 'x', '--', '--directory=/'];
  const result = await runBinaryGuarded(['exec', 'prod', ALICE.code, '--', 'printf', '%s\\n', ...words], envOf(world));
  assert.equal([result.status, result.stdout, result.stderr], [0, `${words.join('\n')}\n`, '']);
  const [request] = world.fake.requests;
  assert.is(request!.region, 'eu-west-1', 'the profile\'s region, not the command\'s --region');
  assert.is(request!.params.DurationSeconds, '43200', 'the default duration, not the command\'s --duration');
  assert.is(world.fake.requests.length, 1);
});

Argv('a 6-digit word after -- is the command, not the code', async ({ world }) => {
  // No code on the command line and no terminal: the code is missing, whatever the command is called.
  const missing = await runBinaryGuarded(['exec', 'prod', '--', ALICE.code, 'arg'], envOf(world));
  assert.equal([missing.status, missing.stdout], [1, '']);
  assert.is(missing.stderr, 'aws2fa: no MFA code given and no terminal to ask on: run aws2fa exec prod 123456 with the code from your device\n');
  assert.is(world.fake.requests.length, 0);

  // A command really named 123456 runs, with the code given before --.
  const bin = join(world.home, 'bin');
  await mkdir(bin);
  await writeFile(join(bin, ALICE.code), '#!/bin/sh\necho "command 123456 ran with $*"\n');
  await chmod(join(bin, ALICE.code), 0o700);
  const ran = await runBinaryGuarded(['exec', 'prod', ALICE.code, '--', ALICE.code, 'arg'], envOf(world, { PATH: `${bin}:${process.env.PATH}` }));
  assert.equal([ran.status, ran.stdout, ran.stderr], [0, 'command 123456 ran with arg\n', '']);
  assert.is(world.fake.requests[0]!.params.TokenCode, ALICE.code);
});

Argv('after the command\'s first word, a 6-digit word and a -- are the command\'s too', async ({ world }) => {
  const result = await runBinaryGuarded(['exec', 'prod', ALICE.code, 'printf', '%s\\n', '654321', '--', 'x'], envOf(world));
  assert.equal([result.status, result.stdout, result.stderr], [0, '654321\n--\nx\n', '']);
  assert.is(world.fake.requests[0]!.params.TokenCode, ALICE.code);
});

Argv('aws2fa\'s options before the profile and between the code and -- are still aws2fa\'s', async ({ world }) => {
  const result = await runBinaryGuarded(['exec', '--duration', '1h', 'prod', ALICE.code, '--region=eu-central-1', '--', 'true'], envOf(world));
  assert.is(result.status, 0, result.stderr);
  assert.is(world.fake.requests[0]!.params.DurationSeconds, '3600');
  assert.is(world.fake.requests[0]!.region, 'eu-central-1');
});

Argv.run();
