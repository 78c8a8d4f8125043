import { rm } from 'node:fs/promises';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { cleanEnv, runBinary } from '../helpers/cli.js';
import { ALICE } from '../helpers/home.js';
import { tempDir } from '../helpers/shells.js';
import type { World } from '../helpers/world.js';
import { makeRolesWorld } from '../roles/world.js';
import { filesState, linesOf, recordingBrowser, runConsole } from './world.js';

// --debug says what was asked of whom, never the sign-in token, the URL or a session's secret.
interface Context {
  world: World;
  before: Awaited<ReturnType<typeof filesState>>;
}
const Debug = suite<Context>('console: --debug output holds no token, URL or secret');

Debug.before.each(async (context) => {
  context.world = await makeRolesWorld();
  context.before = await filesState(context.world);
});
Debug.after.each(async (context) => {
  assert.equal(await filesState(context.world), context.before, 'no file written');
  await context.world.remove();
});

function secretsOf(world: World): string[] {
  const sessions = [...world.fake.issued, ...world.fake.assumed, ...world.fake.signin.federated];
  return [ALICE.secretAccessKey, ...sessions.flatMap((session) => [session.secretAccessKey, session.sessionToken]), ...world.fake.signin.tokens];
}

function assertClean(world: World, stderr: string, url: string | undefined): void {
  assert.ok(stderr.includes('aws2fa debug'), 'debug lines were written');
  assert.match(stderr, /sign-in: getSigninToken at http:\/\/127\.0\.0\.1:\d+\/federation for session key ASIA…\w{4}/);
  for (const secret of secretsOf(world)) assert.not.ok(stderr.includes(secret), `a secret in the debug output: ${secret.slice(0, 12)}…`);
  for (const word of ['SigninToken=', 'Action=login', 'getSigninToken&', 'sessionKey', 'Session=']) assert.not.ok(stderr.includes(word), word);
  if (url) assert.not.ok(stderr.includes(url));
}

Debug('the built binary, role and plain profile, URL printed: stderr has debug lines and none of it', async ({ world }) => {
  const env = cleanEnv(world.home, world.env);
  for (const argv of [['console', 'admin', ALICE.code, '--debug'], ['console', 'base', '--debug']]) {
    const result = await runBinary(argv, env);
    assert.is(result.status, 0, result.stderr);
    const url = linesOf(result.stdout)[0]!;
    assert.ok(url.includes('SigninToken='));
    assertClean(world, result.stderr, url);
  }
  const viaVariable = await runBinary(['console', 'admin', ALICE.code], { ...env, AWS2FA_DEBUG: '1' });
  assert.is(viaVariable.status, 0, viaVariable.stderr);
  assertClean(world, viaVariable.stderr, linesOf(viaVariable.stdout)[0]);
});

Debug('with the browser: the URL in no debug line', async ({ world }) => {
  const folder = tempDir('aws2fa-browser-');
  try {
    const browser = await recordingBrowser(folder);
    const result = await runConsole(world, ['console', 'admin', ALICE.code, '--debug'], { terminal: true, env: { BROWSER: browser.program } });
    assert.is(result.status, 0, result.stderr);
    const [url] = (await browser.argv())!;
    assertClean(world, result.stderr, url);
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
});

Debug.run();
