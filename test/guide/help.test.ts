import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { cleanEnv, runBinary } from '../helpers/cli.js';
import { makeHome, type TempHome } from '../helpers/home.js';

// `aws2fa help`, and what every help text shows, through the built binary (its --help is pre-rendered by the build).
const Help = suite<{ home: TempHome }>('guide: help texts and aws2fa help');

Help.before.each(async (context) => {
  context.home = await makeHome();
});
Help.after.each(async (context) => {
  await context.home.remove();
});

const COMMANDS = [['login'], ['logout'], ['status'], ['env', 'login'], ['env', 'logout'], ['init'], ['help'], ['mfa', 'login'], ['mfa', 'logout']];

Help('aws2fa help and aws2fa help COMMAND print what --help prints', async ({ home }) => {
  const env = cleanEnv(home.home);
  const general = await runBinary(['--help'], env);
  assert.equal(await runBinary(['help'], env), general);
  assert.is(general.status, 0);
  assert.ok(general.stdout.includes('aws2fa help [COMMAND] [SUBCOMMAND]'), 'help is listed');
  for (const path of COMMANDS.filter((words) => words[0] !== 'help')) {
    const own = await runBinary([...path, '--help'], env);
    assert.equal([own.status, own.stderr], [0, ''], path.join(' '));
    assert.equal(await runBinary(['help', ...path], env), own, path.join(' '));
  }
  const envLogin = await runBinary(['env', 'login', '--help'], env);
  for (const argv of [['--help', 'env', 'login'], ['-h', 'env', 'login'], ['help', 'env', 'login', '--help']]) assert.equal(await runBinary(argv, env), envLogin, argv.join(' '));
  const ofHelp = await runBinary(['help', '--help'], env);
  assert.equal([ofHelp.status, ofHelp.stderr], [0, '']);
  assert.match(ofHelp.stdout, /\$ aws2fa help env login/);
});

const PLACEHOLDERS = [
  '--duration,--lifespan SECONDS|1h',
  '--serial ARN',
  '--region REGION',
  '--directory DIR',
  '--name NAME',
  '--shell SHELL',
  '--docker-command PROGRAM',
  '--ecr-region REGION',
];

Help('values are named by meaning in the general help and in every command help, never #0', async ({ home }) => {
  const env = cleanEnv(home.home);
  const general = (await runBinary(['--help'], env)).stdout;
  const texts = [general, ...(await Promise.all(COMMANDS.map(async (path) => (await runBinary([...path, '--help'], env)).stdout)))];
  for (const text of texts) assert.not.match(text, /#\d/);
  for (const placeholder of PLACEHOLDERS) assert.ok(general.includes(`[${placeholder}]`), placeholder);
  const login = (await runBinary(['login', '--help'], env)).stdout;
  for (const placeholder of PLACEHOLDERS.filter((text) => !text.startsWith('--shell'))) assert.match(login, new RegExp(`^  ${placeholder.replace(/[|]/g, '\\|')} +\\S`, 'm'));
  const envLogin = (await runBinary(['env', 'login', '--help'], env)).stdout;
  assert.match(envLogin, /^ {2}--shell SHELL +Syntax of the printed code/m);
});

Help('--debug is shown only where it logs something, and after the options that do the work', async ({ home }) => {
  const general = (await runBinary(['--help'], cleanEnv(home.home))).stdout;
  const usage = (path: string) => general.split('\n').find((line) => line.startsWith(`  aws2fa ${path} [`) || line === `  aws2fa ${path}` || line.startsWith(`  aws2fa ${path} <`))!;
  for (const path of ['login', 'logout', 'env login']) {
    assert.match(usage(path), /\] \[--debug\] \[PROFILE\]/, path);
  }
  for (const path of ['status', 'env logout', 'init', 'help']) assert.not.ok(usage(path).includes('--debug'), path);
  const status = await runBinary(['status', '--debug'], cleanEnv(home.home));
  assert.is(status.status, 0, 'still accepted where hidden');
});

Help('exec shows where the code, the -- and the command go, in its own help and in the general help', async ({ home }) => {
  const env = cleanEnv(home.home);
  const own = (await runBinary(['exec', '--help'], env)).stdout;
  assert.ok(own.includes('\n$ aws2fa exec [options] PROFILE [CODE] [--] [COMMAND [ARG...]]\n'), own);
  const general = (await runBinary(['--help'], env)).stdout;
  const line = general.split('\n').find((text) => text.startsWith('  aws2fa exec '));
  assert.match(line ?? '', /^ {2}aws2fa exec \[--directory DIR\] .*\[--debug\] PROFILE \[CODE\] \[--\] \[COMMAND \[ARG\.\.\.\]\]$/);
});

Help.run();
