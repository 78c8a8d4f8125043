import { spawn } from 'node:child_process';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { finished } from '../helpers/child.js';
import { BINARY, cleanEnv } from '../helpers/cli.js';
import { ALICE } from '../helpers/home.js';
import { makeWorld, type World } from '../helpers/world.js';

// Issue 11: `aws2fa env login >&-` exited 0 having delivered nothing, and `>/dev/full` crashed with a stack
// trace. The session's shell code is what env login is for: not handing it over is an error, in one line.
const Stdout = suite<{ world: World }>('commands/env: env login fails in one line when its shell code cannot be written');

Stdout.before.each(async (context) => {
  context.world = await makeWorld();
});
Stdout.after.each(async (context) => {
  await context.world.remove();
});

// The built binary with its stdout redirected by a real shell, as a user would.
async function envLoginWith(world: World, redirection: string) {
  const env = cleanEnv(world.home, { AWS_ENDPOINT_URL: world.fake.url });
  const script = `exec "$0" "$1" env login prod ${ALICE.code} --shell bash ${redirection}`;
  const child = spawn('sh', ['-c', script, process.execPath, BINARY], { env: env as NodeJS.ProcessEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  return finished(child);
}

const ADVICE = `nothing was delivered: run it as eval "$(aws2fa env login …)" or with the shell hook (aws2fa init)`;

Stdout('a closed stdout (>&-) is an error, not a silent success', async ({ world }) => {
  const before = await world.snapshot();
  const result = await envLoginWith(world, '>&-');
  assert.is(result.status, 1);
  assert.is(result.stderr, `aws2fa: stdout is closed, so the session's shell code could not be written; ${ADVICE}\n`);
  assert.equal(await world.snapshot(), before);
});

Stdout('a full device (>/dev/full) is one line, no stack trace', async ({ world }) => {
  const result = await envLoginWith(world, '>/dev/full');
  assert.is(result.status, 1);
  assert.is(result.stderr, `aws2fa: could not write the session's shell code to stdout (ENOSPC); ${ADVICE}\n`);
});

Stdout('>/dev/null is still taken (env login --ecr only for docker is a fair use)', async ({ world }) => {
  const result = await envLoginWith(world, '>/dev/null');
  assert.is(result.status, 0, result.stderr);
  assert.match(result.stderr, /^This shell has a session of prod until /);
});

Stdout.run();
