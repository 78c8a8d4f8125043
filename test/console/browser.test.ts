import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { findBrowser, splitCommand } from '../../src/console/browser.js';
import { ALICE } from '../helpers/home.js';
import { tempDir } from '../helpers/shells.js';
import type { World } from '../helpers/world.js';
import { actions, makeRolesWorld } from '../roles/world.js';
import { filesState, follow, linesOf, parseLoginUrl, recordingBrowser, runConsole } from './world.js';

// stdout on a terminal: the URL goes to the browser as one argument, never to stdout; the line on stderr names the
// profile and when the console session ends. No browser: one line, before any code is spent, and no URL.
interface Context {
  world: World;
  before: Awaited<ReturnType<typeof filesState>>;
  folder: string;
}
const Browser = suite<Context>('console: the browser opens the sign-in URL');

Browser.before.each(async (context) => {
  context.world = await makeRolesWorld();
  context.before = await filesState(context.world);
  context.folder = tempDir('aws2fa-browser-');
});
Browser.after.each(async (context) => {
  assert.equal(await filesState(context.world), context.before, 'no file written');
  await context.world.remove();
  await rm(context.folder, { recursive: true, force: true });
});

const OPENED = /^The AWS console is open in the browser as admin \(role, via base\) until \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ \((59m|1h00m) left\)\.$/;

Browser('$BROWSER gets the URL as its one argument; it signs in and leads to the console; stdout stays empty', async ({ world, folder }) => {
  const browser = await recordingBrowser(folder);
  const result = await runConsole(world, ['console', 'admin', ALICE.code], { terminal: true, env: { BROWSER: browser.program } });
  assert.is(result.status, 0, result.stderr);
  assert.is(result.stdout, '');
  assert.match(result.stderr.trimEnd(), OPENED);
  assert.is(linesOf(result.stderr).length, 1);
  const argv = await browser.argv();
  assert.is(argv?.length, 1, `argv: ${argv}`);
  const { params } = parseLoginUrl(argv![0]!);
  assert.equal([params.Action, params.Issuer, params.SigninToken], ['login', 'aws2fa', world.fake.signin.tokens[0]]);
  assert.equal(await follow(argv![0]!), { status: 302, location: 'https://eu-central-1.console.aws.amazon.com/console/home?region=eu-central-1' });
  assert.not.ok(result.stderr.includes(world.fake.signin.tokens[0]!), 'the token is not shown');
});

Browser('$BROWSER as a list with %s: the first that exists, with its own words', async ({ world, folder }) => {
  const browser = await recordingBrowser(folder);
  const BROWSER = `${join(folder, 'missing')}:${browser.program} --new-window 'url=%s'`;
  const result = await runConsole(world, ['console', 'admin', ALICE.code], { terminal: true, env: { BROWSER } });
  assert.is(result.status, 0, result.stderr);
  const argv = (await browser.argv())!;
  assert.is(argv.length, 2);
  assert.is(argv[0], '--new-window');
  assert.ok(argv[1]!.startsWith(`url=${world.fake.url}/federation?Action=login&`), argv[1]);
});

Browser('xdg-open (open on macOS) on PATH when $BROWSER is not set', async ({ world, folder }) => {
  const bin = join(folder, 'bin');
  await mkdir(bin);
  const browser = await recordingBrowser(folder);
  await (await import('node:fs/promises')).symlink(browser.program, join(bin, 'xdg-open'));
  const found = findBrowser({ PATH: bin }, 'linux');
  assert.is(found.file, join(bin, 'xdg-open'));
  assert.is(findBrowser({ PATH: bin, BROWSER: '' }, 'linux').name, 'xdg-open');
  // macOS: `open`, found the same way.
  await (await import('node:fs/promises')).symlink(browser.program, join(bin, 'open'));
  assert.equal([findBrowser({ PATH: bin }, 'darwin').name, findBrowser({ PATH: bin }, 'darwin').file], ['open', join(bin, 'open')]);
  const result = await runConsole(world, ['console', 'admin', ALICE.code], { terminal: true, env: { PATH: bin } });
  assert.is(result.status, 0, result.stderr);
  assert.is((await browser.argv())?.length, 1);
});

Browser('no browser: one line before any request, so no code is spent; the URL is not printed', async ({ world, folder }) => {
  const result = await runConsole(world, ['console', 'admin', ALICE.code], { terminal: true, env: { PATH: folder } });
  assert.equal([result.status, result.stdout], [1, '']);
  assert.equal(linesOf(result.stderr), [
    'aws2fa: no browser to open the console in (BROWSER is not set and there is no xdg-open on PATH): set BROWSER, or run aws2fa console --print … and open the URL yourself',
  ]);
  assert.equal(actions(world), []);
  assert.equal(world.fake.signin.requests, []);
  assert.throws(() => findBrowser({ PATH: folder }, 'darwin'), /\(BROWSER is not set and there is no open on PATH\)/);
  assert.throws(() => findBrowser({ PATH: folder, BROWSER: `${folder}/none:also-none %s` }, 'linux'), /\(none of BROWSER=\S+\/none:also-none %s and no xdg-open on PATH\)/);
});

Browser('a browser that fails: one line with its status; the URL is not printed', async ({ world, folder }) => {
  const browser = await recordingBrowser(folder, 3);
  const result = await runConsole(world, ['console', 'admin', ALICE.code], { terminal: true, env: { BROWSER: browser.program } });
  assert.equal([result.status, result.stdout], [1, '']);
  assert.equal(linesOf(result.stderr), [
    `aws2fa: could not open the console in the browser (${browser.program} exited with status 3): run aws2fa console --print … and open the URL yourself`,
  ]);
  assert.not.ok(result.stderr.includes('SigninToken') || result.stderr.includes(world.fake.signin.tokens[0]!));
});

Browser('--print on a terminal: the URL on stdout, no browser started', async ({ world, folder }) => {
  const browser = await recordingBrowser(folder);
  const result = await runConsole(world, ['console', 'admin', ALICE.code, '--print'], { terminal: true, env: { BROWSER: browser.program } });
  assert.is(result.status, 0, result.stderr);
  assert.is(await browser.argv(), null, 'the browser was not run');
  assert.is(linesOf(result.stdout).length, 1);
  assert.ok(result.stdout.startsWith(`${world.fake.url}/federation?Action=login&Issuer=aws2fa&`));
});

Browser('$BROWSER words split as a shell would: quotes and backslashes', () => {
  assert.equal(splitCommand(`firefox --new-window %s`), ['firefox', '--new-window', '%s']);
  assert.equal(splitCommand(`"/Applications/Google Chrome.app/x" --a='b c' d\\ e ''`), ['/Applications/Google Chrome.app/x', '--a=b c', 'd e', '']);
});

Browser.run();
