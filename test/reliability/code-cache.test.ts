import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, copyFileSync, existsSync, linkSync, lstatSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { cleanEnv } from '../helpers/cli.js';
import { ALICE } from '../helpers/home.js';
import { runBinaryGuarded, startBinary, type Exit } from '../helpers/processes.js';
import { findTool } from '../helpers/tools.js';
import { makeWorld, STANDARD_CREDENTIALS, type World } from '../helpers/world.js';

// Issue 11, items 2 and 4, for ~/.cache/aws2fa (src/boot/code-cache.ts): a cache is code the process runs, so
// nothing someone else put in its folder is run or written through, and a cache that cannot be used is no error.
const Cache = suite<{ world: World }>('reliability: the code cache never fails a command, never writes through a planted name, trusts only its own files');

Cache.before.each(async (context) => {
  context.world = await makeWorld();
});
Cache.after.each(async (context) => {
  await context.world.remove();
});

const isRoot = process.getuid?.() === 0;
// Two users with no account: the victim, whose HOME it is, and a member of the cache folder's group.
const VICTIM = 4242;
const ATTACKER = 4343;
const DIST = fileURLToPath(new URL('../../dist/', import.meta.url));
const NODE_TAG = `${process.version}-${process.arch}.v8`;

// Another user is needed: say so loudly, and fail where everything must run (CI runs as root, with setpriv).
function skipped(what: string): void {
  if (process.env.CI === 'true') throw new Error(`required on CI: ${what}`);
  process.stderr.write(`\n!!!!! SKIPPED: ${what} !!!!!\n\n`);
}

const codeFolder = (home: string) => join(home, '.cache', 'aws2fa', 'code');
const appFile = () => readdirSync(DIST).find((name) => /^app-\w+\.cjs$/.test(name))!;
const stsFile = () => readdirSync(join(DIST, 'sdk')).find((name) => /^client-sts-\w+\.cjs$/.test(name))!;

function run(world: World, argv: string[], extra: Record<string, string> = {}, uid?: number): Promise<Exit> {
  const env = cleanEnv(world.home, { AWS_ENDPOINT_URL: world.fake.url, ...extra });
  return runBinaryGuarded(argv, env, uid === undefined ? {} : { uid, cwd: world.home });
}

function assertWorked(exit: Exit, what: string): void {
  assert.is(exit.status, 0, `${what}: ${exit.stderr}`);
  assert.not.match(exit.stderr, /\n\s+at |Error|aws2fa:/, `${what}: nothing about the cache on stderr`);
}

// The whole HOME to the victim, readable on the way down so that the other user reaches the cache folder.
function handHomeTo(world: World, uid: number): void {
  execFileSync('chown', ['-R', `${uid}:${uid}`, world.home]);
  chmodSync(world.home, 0o755);
}

Cache('a cache path that cannot be looked at (a file, a loop, no permission): each command works, says nothing, uncached', async ({ world }) => {
  const file = join(world.home, 'not-a-folder');
  writeFileSync(file, 'x');
  const loop = join(world.home, 'loop');
  symlinkSync(loop, loop);
  for (const cacheHome of [file, '/etc/passwd', loop, join(loop, 'deeper')]) {
    for (const argv of [['status'], ['env', 'login', 'prod', ALICE.code, '--shell', 'bash']]) {
      const exit = await run(world, argv, { XDG_CACHE_HOME: cacheHome });
      assert.is(exit.status, 0, `${cacheHome}: ${exit.stderr}`);
      assert.not.match(exit.stderr, /\n\s+at |Error/, `${cacheHome}: no stack trace`);
    }
  }
  assert.not.ok(existsSync(join(world.home, '.cache')));
  // A folder on the way that this user may not enter (EACCES). Root enters anything: then the user is the victim.
  const uid = isRoot ? VICTIM : undefined;
  mkdirSync(join(world.home, '.cache', 'aws2fa'), { recursive: true, mode: 0o700 });
  if (uid !== undefined) handHomeTo(world, uid);
  chmodSync(join(world.home, '.cache', 'aws2fa'), 0o000);
  for (const argv of [['status'], ['env', 'login', 'prod', ALICE.code, '--shell', 'bash']]) assertWorked(await run(world, argv, {}, uid), argv[0]!);
  chmodSync(join(world.home, '.cache', 'aws2fa'), 0o700);
  assert.not.ok(existsSync(codeFolder(world.home)), 'nothing made inside');
});

Cache('a run as root with the user\'s HOME leaves nothing in it; the user\'s own runs cache as ever', async ({ world }) => {
  if (!isRoot) return skipped('not root: cannot run as root with another user\'s HOME');
  handHomeTo(world, VICTIM);
  assertWorked(await run(world, ['status']), 'status as root');
  assert.not.ok(existsSync(join(world.home, '.cache')), 'no ~/.cache made by root');
  mkdirSync(join(world.home, '.cache'), { mode: 0o700 });
  chownSync(join(world.home, '.cache'), VICTIM, VICTIM);
  assertWorked(await run(world, ['env', 'login', 'prod', ALICE.code, '--shell', 'bash']), 'env login as root');
  assert.equal(readdirSync(join(world.home, '.cache')), [], 'nothing made in the user\'s ~/.cache');
  assertWorked(await run(world, ['status'], {}, VICTIM), 'status as the user');
  const caches = readdirSync(codeFolder(world.home));
  assert.is(caches.length, 1, caches.join(', '));
  for (const folder of [join(world.home, '.cache', 'aws2fa'), codeFolder(world.home), join(codeFolder(world.home), caches[0]!)]) {
    assert.is(statSync(folder).uid, VICTIM, folder);
  }
});

Cache('a link at a cache\'s name, or a cache with a second name, is not read: a cache of the run\'s own replaces it', async ({ world }) => {
  assertWorked(await run(world, ['status']), 'first status');
  const cache = join(codeFolder(world.home), `${appFile()}-status-${NODE_TAG}`);
  const elsewhere = join(world.home, 'elsewhere.v8');
  copyFileSync(cache, elsewhere); // a valid cache of this very file: V8 would take it
  chmodSync(elsewhere, 0o600);
  const original = readFileSync(elsewhere);

  rmSync(cache);
  symlinkSync(elsewhere, cache);
  assertWorked(await run(world, ['status']), 'status with a symlinked cache');
  assert.ok(lstatSync(cache).isFile(), 'the link is replaced by a file of the run');
  assert.equal([statSync(cache).nlink, statSync(cache).mode & 0o777], [1, 0o600]);

  rmSync(cache);
  linkSync(elsewhere, cache);
  assertWorked(await run(world, ['status']), 'status with a hard-linked cache');
  assert.is.not(statSync(cache).ino, statSync(elsewhere).ino, 'the second name is replaced');
  assert.equal([statSync(cache).nlink, statSync(elsewhere).nlink], [1, 1]);
  assert.ok(readFileSync(elsewhere).equals(original), 'the other name keeps its bytes');
});

Cache('another user who may write in a group-writable cache folder: planted links are never written through', async ({ world }) => {
  if (!isRoot) return skipped('not root: cannot act as two other users');
  const setpriv = findTool('setpriv');
  if (!setpriv) return;
  handHomeTo(world, VICTIM);
  assertWorked(await run(world, ['status'], {}, VICTIM), 'status as the user');
  const folder = codeFolder(world.home);
  for (const each of [join(world.home, '.cache'), join(world.home, '.cache', 'aws2fa')]) chmodSync(each, 0o755);
  // The user shares the cache folder with a group (many systems give each user a group of their own).
  chownSync(folder, VICTIM, ATTACKER);
  chmodSync(folder, 0o770);
  const key = join(world.home, 'id_ed25519');
  writeFileSync(key, 'PRIVATE KEY of the user\n', { mode: 0o600 });
  chownSync(key, VICTIM, VICTIM);

  // The login waits for STS: its pid is known, so every name a cache of it could be written under is too.
  const held = world.fake.holdAnswers({ service: 'sts' });
  const asked = world.fake.nextRequest({ service: 'sts' });
  const login = startBinary(['login', 'prod', ALICE.code], cleanEnv(world.home, { AWS_ENDPOINT_URL: world.fake.url }), { uid: VICTIM, cwd: world.home });
  await asked;
  const pid = login.child.pid!;
  const names = [`${appFile()}-login-${NODE_TAG}`, `${stsFile()}-any-${NODE_TAG}`];
  const planted = names.flatMap((name) => [name, `${name}.${pid}.tmp`, `${name}.tmp`]);
  for (const name of planted) {
    execFileSync(setpriv, [`--reuid=${ATTACKER}`, `--regid=${ATTACKER}`, '--clear-groups', 'ln', '-s', key, join(folder, name)]);
  }
  held.release();
  const exit = await login.exited;
  assertWorked(exit, 'login as the user');
  assert.is(readFileSync(key, 'utf8'), 'PRIVATE KEY of the user\n', 'the user\'s key is untouched');
  assert.not.equal(readFileSync(world.credentials, 'utf8'), STANDARD_CREDENTIALS, 'the login itself worked');
  for (const name of names) {
    const info = lstatSync(join(folder, name));
    assert.ok(info.isFile() && info.uid === VICTIM && info.nlink === 1 && (info.mode & 0o777) === 0o600, `${name}: the run's own cache`);
  }
  // The next run reads its caches (they are the user's own) and works; no planted link is ever followed.
  assertWorked(await run(world, ['login', 'prod', ALICE.code], {}, VICTIM), 'the next login');
  assert.is(readFileSync(key, 'utf8'), 'PRIVATE KEY of the user\n');
});

Cache.run();
