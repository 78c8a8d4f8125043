import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { cleanEnv } from '../helpers/cli.js';
import { ALICE } from '../helpers/home.js';
import { makeWorld, type World } from '../helpers/world.js';
import { dialog, ptyAvailable } from './pty-dialog.js';

// `aws2fa env login prod 123456` typed without eval or the hook would show the secrets and spend the code.
const Screen = suite<{ world: World }>('codes: env login with stdout on a terminal refuses before any request');

Screen.before.each(async (context) => {
  context.world = await makeWorld();
});
Screen.after.each(async (context) => {
  await context.world.remove();
});

const MESSAGE =
  'aws2fa: env login prints shell code for your shell to run, not for the screen: run eval "$(aws2fa env login …)" ' +
  '(fish: aws2fa env login … | source), or load the shell hook once (see aws2fa init --help) and run aws2fa env login …; nothing was sent to AWS';

Screen('env login on a terminal: exit 2, the eval form and aws2fa init named, no request, no secret on the screen', async ({ world }) => {
  if (!ptyAvailable()) return;
  const before = await world.snapshot();
  for (const argv of [['env', 'login', 'prod', ALICE.code], ['env', 'login', 'prod']]) {
    const run = await dialog(argv, cleanEnv(world.home, { AWS_ENDPOINT_URL: world.fake.url }), world.home, []);
    assert.is(run.status, 2, run.output);
    assert.is(run.output, `${MESSAGE}\r\n`);
  }
  assert.is(world.fake.requests.length, 0, 'no request reached the endpoint: the code is not spent');
  assert.equal(await world.snapshot(), before);
});

Screen('the same command with stdout a pipe (eval, the hook) goes ahead', async ({ world }) => {
  if (!ptyAvailable()) return;
  const run = await dialog(['env', 'login', 'prod', ALICE.code, '--shell', 'bash'], cleanEnv(world.home, { AWS_ENDPOINT_URL: world.fake.url }), world.home, [], {
    stdoutPipe: true,
  });
  assert.is(run.status, 0, run.output);
  assert.match(run.stdout!, /^export AWS_ACCESS_KEY_ID=/m);
});

Screen.run();
