import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { cleanEnv, runBinary } from '../helpers/cli.js';
import { makeHome, type TempHome } from '../helpers/home.js';

// console's help, through the built binary (its general help is pre-rendered by the build).
const Help = suite<{ home: TempHome }>('console: help with examples, listed in the general help');

Help.before.each(async (context) => {
  context.home = await makeHome();
});
Help.after.each(async (context) => {
  await context.home.remove();
});

Help('aws2fa console --help and aws2fa help console: usage, every option with its placeholder, examples', async ({ home }) => {
  const env = cleanEnv(home.home);
  const own = await runBinary(['console', '--help'], env);
  assert.equal([own.status, own.stderr], [0, '']);
  assert.equal(await runBinary(['help', 'console'], env), own);
  assert.ok(own.stdout.includes('\n$ aws2fa console [PROFILE] [CODE]\n'), own.stdout);
  for (const option of ['--duration,--lifespan SECONDS|1h', '--serial ARN', '--region REGION', '--path PATH', '--print', '--directory DIR', '--name NAME', '--debug']) {
    assert.match(own.stdout, new RegExp(`^  ${option.replace(/[|]/g, '\\|')} +\\S`, 'm'), option);
  }
  assert.not.match(own.stdout, /#\d/);
  for (const example of ['$ aws2fa console admin\n', '$ aws2fa console admin 123456\n', '$ aws2fa console admin 123456 --path s3/home --duration 4h\n', '$ aws2fa console admin --print\n']) {
    assert.ok(own.stdout.includes(example), example);
  }
  const general = (await runBinary(['--help'], env)).stdout;
  const line = general.split('\n').find((text) => text.startsWith('  aws2fa console '));
  assert.match(line ?? '', /^ {2}aws2fa console \[--directory DIR\] .*\[--path PATH\] \[--print\] \[--debug\] \[PROFILE\] \[CODE\]$/);
});

Help('a mistyped console option or command names the right one', async ({ home }) => {
  const env = cleanEnv(home.home);
  const option = await runBinary(['console', '--prnit'], env);
  assert.equal([option.status, option.stdout, option.stderr], [2, '', 'aws2fa: unknown option --prnit; did you mean --print? (see aws2fa console --help)\n']);
  const command = await runBinary(['consle', 'admin'], env);
  assert.is(command.status, 2);
  assert.match(command.stderr, /did you mean the command console\?/);
});

Help.run();
