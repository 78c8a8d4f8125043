import { spawn } from 'node:child_process';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { finished } from '../helpers/child.js';
import { BINARY, cleanEnv } from '../helpers/cli.js';
import { ALICE } from '../helpers/home.js';
import { makeWorld, type World } from '../helpers/world.js';
import { procCanBeHidden } from '../codes/pty-dialog.js';

// macOS has no /proc: what aws2fa learns there (is stdout a closed descriptor?) must not depend on it. Run on Linux
// in a mount namespace of its own whose /proc is empty.
const NoProc = suite<{ world: World }>('reliability: without /proc, as on macOS');

NoProc.before.each(async (context) => {
  context.world = await makeWorld();
});
NoProc.after.each(async (context) => {
  await context.world.remove();
});

async function envLoginWithoutProc(world: World, redirection: string) {
  const env = cleanEnv(world.home, { AWS_ENDPOINT_URL: world.fake.url });
  const script = `mount -t tmpfs none /proc && [ ! -e /proc/self ] && exec "$0" "$1" env login prod ${ALICE.code} --shell bash ${redirection}`;
  const child = spawn('unshare', ['-rm', 'sh', '-c', script, process.execPath, BINARY], { env: env as NodeJS.ProcessEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  return finished(child);
}

NoProc('a closed stdout (>&-) is still told from >/dev/null', async ({ world }) => {
  if (!procCanBeHidden()) return;
  const closed = await envLoginWithoutProc(world, '>&-');
  assert.is(closed.status, 1, closed.stderr);
  assert.match(closed.stderr, /^aws2fa: stdout is closed, so the session's shell code could not be written; /);
  const devNull = await envLoginWithoutProc(world, '>/dev/null');
  assert.is(devNull.status, 0, devNull.stderr);
});

NoProc.run();
