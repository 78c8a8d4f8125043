import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { cleanEnv, runBinary } from '../helpers/cli.js';
import { ALICE } from '../helpers/home.js';
import { makeWorld, type World } from '../helpers/world.js';

// Mistyped commands and options, through the built binary: one line on stderr naming what was meant, status 2,
// nothing on stdout, no file touched.
const Mistakes = suite<{ world: World }>('guide: a mistyped command or option names the nearest one');

Mistakes.before.each(async (context) => {
  context.world = await makeWorld();
});
Mistakes.after.each(async (context) => {
  await context.world.remove();
});

async function expectLine(world: World, argv: string[], line: string): Promise<void> {
  const before = await world.snapshot();
  const result = await runBinary(argv, cleanEnv(world.home, { AWS_ENDPOINT_URL: world.fake.url }));
  assert.equal([result.status, result.stdout, result.stderr], [2, '', `aws2fa: ${line}\n`], argv.join(' '));
  assert.equal(await world.snapshot(), before, argv.join(' '));
  assert.is(world.fake.requests.length, 0, argv.join(' '));
}

Mistakes('a typo of a command word, or a group word alone, names the commands, never an empty list', async ({ world }) => {
  await expectLine(world, ['env', 'lgin', 'prod'], 'no command env lgin; did you mean env login? (see aws2fa env login --help)');
  await expectLine(world, ['mfa', 'status'], 'no command mfa status; did you mean status? (see aws2fa status --help)');
  await expectLine(world, ['env'], 'env is not a command on its own; did you mean env login or env logout? (see aws2fa --help)');
  await expectLine(world, ['mfa'], 'mfa is not a command on its own; did you mean mfa login or mfa logout? (see aws2fa --help)');
  await expectLine(world, ['env', 'nothing'], 'no command env nothing; did you mean env login or env logout? (see aws2fa --help)');
  await expectLine(world, ['statsu', '--json'], 'no command statsu; did you mean status? (see aws2fa status --help)');
});

Mistakes('a bare word that is neither a profile nor a command says both', async ({ world }) => {
  await expectLine(world, ['logn'], 'no profile logn; did you mean the command login?');
  await expectLine(world, ['statsu'], 'no profile statsu; did you mean the command status?');
  await expectLine(world, ['logn', ALICE.code], 'no profile logn; did you mean the command login?');
  await expectLine(world, ['--name', 'acme', 'statsu'], 'no profile statsu; did you mean the command status?');
});

Mistakes('a profile named like a command typo is still a profile', async ({ world }) => {
  await world.writeCredentials(`[statsu]\naws_access_key_id = ${ALICE.accessKeyId}\naws_secret_access_key = ${ALICE.secretAccessKey}\n`);
  await world.writeConfig(`[profile statsu]\nmfa_serial = ${ALICE.mfaSerial}\n`);
  const result = await runBinary(['statsu', ALICE.code], cleanEnv(world.home, { AWS_ENDPOINT_URL: world.fake.url }));
  assert.is(result.status, 0, result.stderr);
  assert.match(result.stdout, /^Logged in statsu until /);
});

Mistakes('a word that is like nothing stays the unknown-profile error, naming the file and the profiles', async ({ world }) => {
  const result = await runBinary(['xyzzy'], cleanEnv(world.home));
  assert.equal([result.status, result.stdout], [1, '']);
  assert.is(
    result.stderr,
    `aws2fa: profile xyzzy is not in ${world.credentials} (known profiles: default, prod); add its keys with: aws configure --profile xyzzy\n`,
  );
});

Mistakes('the list of known profiles is bounded (both files: default and prod of the config too)', async ({ world }) => {
  const names = Array.from({ length: 14 }, (_, index) => `account${index}`);
  await world.writeCredentials(names.map((name) => `[${name}]\naws_access_key_id = AKIA${name}\n`).join(''));
  const result = await runBinary(['login', 'nope', ALICE.code], cleanEnv(world.home));
  assert.equal([result.status, result.stdout], [1, '']);
  assert.is(
    result.stderr,
    `aws2fa: profile nope is not in ${world.credentials} (known profiles: ${names.slice(0, 5).join(', ')} and 11 more (aws2fa status lists them all)); add its keys with: aws configure --profile nope\n`,
  );
});

Mistakes('an unknown option names the nearest option and the command its own --help', async ({ world }) => {
  await expectLine(world, ['login', 'prod', ALICE.code, '--duraton', '3600'], 'unknown option --duraton; did you mean --duration? (see aws2fa login --help)');
  await expectLine(world, ['env', 'login', 'prod', '--duraton=3600'], 'unknown option --duraton; did you mean --duration? (see aws2fa env login --help)');
  await expectLine(world, ['prod', ALICE.code, '--duraton', '3600'], 'unknown option --duraton; did you mean --duration? (see aws2fa login --help)');
  await expectLine(world, ['mfa', 'logout', 'prod', '--ecr-regoin', 'us-east-1'], 'unknown option --ecr-regoin; did you mean --ecr-region? (see aws2fa logout --help)');
  await expectLine(world, ['status', '--jsno'], 'unknown option --jsno; did you mean --json? (see aws2fa status --help)');
  await expectLine(world, ['status', '--debug', '--jsno'], 'unknown option --jsno; did you mean --json? (see aws2fa status --help)');
  await expectLine(world, ['status', '--bogus'], 'unknown option --bogus (see aws2fa status --help)');
  await expectLine(world, ['login', 'prod', ALICE.code, 'extra'], 'unexpected word extra; usage: aws2fa login [PROFILE] [CODE] (see aws2fa login --help)');
});

Mistakes('an option of the command exec runs says to put -- before the command, with the line to type', async ({ world }) => {
  const put = (option: string, line: string) => `${option} is not an option of aws2fa exec; to pass it to the command, put -- before it: ${line}`;
  await expectLine(world, ['exec', 'prod', 'ls', '-la'], put('-la', 'aws2fa exec prod -- ls -la'));
  await expectLine(world, ['exec', '--duration', '3600', 'prod', ALICE.code, 'ls', '-la'], put('-la', `aws2fa exec --duration 3600 prod ${ALICE.code} -- ls -la`));
  await expectLine(world, ['exec', 'prod', 'sh', '-c', "echo 'a b'", '--', 'x'], put('-c', `aws2fa exec prod -- sh -c 'echo '\\''a b'\\''' -- x`));
  // Before the command, an unknown option is aws2fa's: a typo.
  await expectLine(world, ['exec', '--duraton', '3600', 'prod', 'ls'], 'unknown option --duraton; did you mean --duration? (see aws2fa exec --help)');
  await expectLine(world, ['exec', 'prod', '-la'], 'unknown option -la (see aws2fa exec --help)');
  await expectLine(world, ['exec', '--profile', 'prod', 'ls', '-la'], put('-la', 'aws2fa exec --profile prod -- ls -la'));
});

Mistakes('aws2fa help COMMAND with a wrong command says what it might be', async ({ world }) => {
  await expectLine(world, ['help', 'logn'], 'no command logn; did you mean login? (see aws2fa login --help)');
  await expectLine(world, ['help', 'env', 'lgin'], 'no command env lgin; did you mean env login? (see aws2fa env login --help)');
  // (aws2fa help env lists the env commands: test/guide/plain-texts.test.ts)
  await expectLine(world, ['help', 'prod'], 'no command prod (see aws2fa --help)');
});

Mistakes('--duration: units accepted, 1e3 and negative seconds get accurate messages', async ({ world }) => {
  const range = 'expected to be in the [900; 129600] range, 15m to 36h';
  await expectLine(world, ['login', 'prod', ALICE.code, '--duration', '1e3'], 'Invalid value for --duration: expected seconds like 3600, or hours and minutes like 90m, 12h or 1h30m (got "1e3") (see aws2fa login --help)');
  await expectLine(world, ['login', 'prod', ALICE.code, '--duration', '-3600'], `Invalid value for --duration: ${range} (got -3600) (see aws2fa login --help)`);
  await expectLine(world, ['env', 'login', 'prod', ALICE.code, '--lifespan=-3600'], `Invalid value for --lifespan: ${range} (got -3600) (see aws2fa env login --help)`);
  await expectLine(world, ['login', 'prod', ALICE.code, '--duration', '10m'], `Invalid value for --duration: ${range} (got 10m = 600 seconds) (see aws2fa login --help)`);
  await expectLine(world, ['login', 'prod', ALICE.code, '--duration', '899'], `Invalid value for --duration: ${range} (got 899) (see aws2fa login --help)`);
  const env = cleanEnv(world.home, { AWS_ENDPOINT_URL: world.fake.url });
  for (const [given, seconds] of [['90m', '5400'], ['12h', '43200'], ['1h30m', '5400'], ['3600', '3600']]) {
    const result = await runBinary(['login', 'prod', ALICE.code, '--duration', given!], env);
    assert.is(result.status, 0, result.stderr);
    assert.is(world.fake.requests.at(-1)!.params.DurationSeconds, seconds, given);
  }
});

Mistakes.run();
