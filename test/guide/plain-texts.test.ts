import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { cleanEnv, runBinary } from '../helpers/cli.js';
import { makeHome, type TempHome } from '../helpers/home.js';

// Clipanion's raw messages ("Unsupported option name", "Not enough positional arguments", "Extraneous positional
// argument") never reach the user: each mistake gets a line that says what to type, and a group word's --help
// lists its commands.
const Plain = suite<{ home: TempHome }>('guide: no raw Clipanion texts');

Plain.before.each(async (context) => {
  context.home = await makeHome();
});
Plain.after.each(async (context) => {
  await context.home.remove();
});

const RAW = /Unsupported option name|Not enough positional|Extraneous positional|Invalid option name|Not enough arguments to option|Command not found/;

async function expectLine(home: TempHome, argv: string[], line: string): Promise<void> {
  const result = await runBinary(argv, cleanEnv(home.home));
  assert.equal([result.status, result.stdout, result.stderr], [2, '', `aws2fa: ${line}\n`], argv.join(' '));
  assert.not.match(result.stderr, RAW);
}

Plain('--verison names --version; an option typed before any command is matched against the general and login options', async ({ home }) => {
  await expectLine(home, ['--verison'], 'unknown option --verison; did you mean --version? (see aws2fa --help)');
  await expectLine(home, ['--hlep'], 'unknown option --hlep; did you mean --help? (see aws2fa --help)');
  await expectLine(home, ['--duraton', '3600', 'prod'], 'unknown option --duraton; did you mean --duration? (see aws2fa --help)');
  await expectLine(home, ['-x'], 'unknown option -x (see aws2fa --help)');
  await expectLine(home, ['--version', 'extra'], 'aws2fa --version takes nothing else (see aws2fa --help)');
});

Plain('aws2fa init names the shells', async ({ home }) => {
  await expectLine(home, ['init'], 'aws2fa init needs a shell: bash, zsh or fish (e.g. eval "$(aws2fa init bash)") (see aws2fa init --help)');
});

Plain('an extra word names the command\'s usage line', async ({ home }) => {
  await expectLine(home, ['status', 'prod', 'extra'], 'unexpected word extra; usage: aws2fa status [PROFILE] (see aws2fa status --help)');
  await expectLine(home, ['logout', 'a', 'b'], 'unexpected word b; usage: aws2fa logout [PROFILE] (see aws2fa logout --help)');
  await expectLine(home, ['env', 'login', 'prod', '123456', 'x y'], `unexpected word 'x y'; usage: aws2fa env login [PROFILE] [CODE] (see aws2fa env login --help)`);
  await expectLine(home, ['env', 'logout', 'prod'], 'unexpected word prod; usage: aws2fa env logout (see aws2fa env logout --help)');
  await expectLine(home, ['init', 'bash', 'zsh'], 'unexpected word zsh; usage: aws2fa init <SHELL> (see aws2fa init --help)');
  await expectLine(home, ['prod', '123456', 'extra'], 'unexpected word extra; usage: aws2fa login [PROFILE] [CODE] (see aws2fa login --help)');
});

Plain('an option without its value, a flag given a value', async ({ home }) => {
  await expectLine(home, ['login', 'prod', '--duration'], '--duration needs a value (see aws2fa login --help)');
  await expectLine(home, ['status', '--json=yes'], '--json takes no value (see aws2fa status --help)');
});

Plain('aws2fa env --help, aws2fa mfa --help and aws2fa help env list their commands, exit 0', async ({ home }) => {
  const env = cleanEnv(home.home);
  const envHelp = await runBinary(['env', '--help'], env);
  assert.equal([envHelp.status, envHelp.stderr], [0, '']);
  assert.match(envHelp.stdout, /^ {2}aws2fa env login \[PROFILE\] \[CODE\]\n {4}print shell code that gives only the current shell an MFA session$/m);
  assert.match(envHelp.stdout, /^ {2}aws2fa env logout\n {4}print shell code that removes the env-mode session/m);
  assert.match(envHelp.stdout, /aws2fa env login --help or aws2fa env logout --help/);
  for (const argv of [['env', '-h'], ['help', 'env'], ['--help', 'env'], ['help', 'env', '--help']]) assert.equal(await runBinary(argv, env), envHelp, argv.join(' '));
  const mfaHelp = await runBinary(['mfa', '--help'], env);
  assert.equal([mfaHelp.status, mfaHelp.stderr], [0, '']);
  assert.match(mfaHelp.stdout, /^ {2}aws2fa mfa login \[PROFILE\] \[CODE\]\n {4}log a profile in .*\(the same as aws2fa login\)$/m);
  assert.match(mfaHelp.stdout, /^ {2}aws2fa mfa logout \[PROFILE\]\n {4}give a profile .*\(the same as aws2fa logout\)$/m);
  assert.equal(await runBinary(['help', 'mfa'], env), mfaHelp);
});

Plain.run();
