import { execFileSync } from 'node:child_process';
import { chmod, chown, link, mkdir, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { cleanEnv, scriptedTerminal } from '../helpers/cli.js';
import { ALICE } from '../helpers/home.js';
import { leftovers, runBinaryGuarded, type Exit } from '../helpers/processes.js';
import { makeWorld, STANDARD_CREDENTIALS, type World } from '../helpers/world.js';

// Issue 6, fault 4: disk and permission faults are a clear error or a correct result, never a half state.
const Disk = suite<{ world: World }>('reliability: read-only, missing, foreign and full folders: a clear error or a correct result');

Disk.before.each(async (context) => {
  context.world = await makeWorld();
});
Disk.after.each(async (context) => {
  await chmod(context.world.aws, 0o700).catch(() => undefined);
  await context.world.remove();
});

const isRoot = process.getuid?.() === 0;
const OTHER_UID = 1000;

function skipped(what: string): void {
  process.stderr.write(`\n!!!!! SKIPPED: ${what} !!!!!\n\n`);
}

function binary(world: World, argv: string[], options: { uid?: number; env?: Record<string, string> } = {}): Promise<Exit> {
  const env = cleanEnv(world.home, { AWS_ENDPOINT_URL: world.fake.url, ...options.env });
  return runBinaryGuarded(argv, env, options.uid === undefined ? {} : { uid: options.uid, cwd: world.home });
}

// Issue 11, item 6: a write that cannot happen is found before the code is spent: no GetSessionToken reaches STS.
async function expectRefused(world: World, argv: string[], message: RegExp, options: { uid?: number } = {}): Promise<void> {
  const before = await world.snapshot();
  const requests = world.fake.requests.length;
  const result = await binary(world, argv, options);
  assert.equal(world.fake.requests.slice(requests).map((request) => request.action), [], 'refused before any request to AWS');
  assert.is(result.status, 1, result.stderr);
  assert.match(result.stderr, message);
  assert.is(result.stderr.split('\n').length, 2, `one line: ${JSON.stringify(result.stderr)}`);
  assert.equal(await world.snapshot(), before, 'both files byte-identical');
  assert.equal(await leftovers(world.aws), [], 'no lock or temporary file left');
}

Disk('a read-only folder: login and logout refuse with one line, nothing written (even for root)', async ({ world }) => {
  assert.is((await binary(world, ['login', 'prod', ALICE.code])).status, 0);
  await chmod(world.aws, 0o500);
  await expectRefused(world, ['login', 'prod', ALICE.code], /the folder .*\.aws is read-only: make it writable/);
  await expectRefused(world, ['logout', 'prod'], /the folder .*\.aws is read-only: make it writable/);
});

Disk('a read-only credentials file: login and logout refuse with one line, nothing written (even for root)', async ({ world }) => {
  assert.is((await binary(world, ['login', 'prod', ALICE.code])).status, 0);
  await chmod(world.credentials, 0o400);
  await expectRefused(world, ['login', 'prod', ALICE.code], /credentials is read-only: make it writable \(chmod u\+w\)/);
  await expectRefused(world, ['logout', 'prod'], /credentials is read-only/);
  assert.is(await world.mode(world.credentials), 0o400, 'its mode untouched');
});

Disk('a missing credentials folder is a clear error, and is not created', async ({ world }) => {
  const missing = join(world.home, 'missing', 'credentials');
  const result = await binary(world, ['login', 'prod', ALICE.code], { env: { AWS_SHARED_CREDENTIALS_FILE: missing } });
  assert.is(result.status, 1);
  assert.match(result.stderr, /there is no credentials file at .*missing\/credentials: create it with AWS_SHARED_CREDENTIALS_FILE=.*missing\/credentials aws configure --profile prod/);
  assert.not.ok((await readdir(world.home)).includes('missing'));
});

Disk('a new config file in missing folders is created 0600 in folders created 0700, whatever the umask', async ({ world }) => {
  const config = join(world.home, 'new', 'deeper', 'config');
  const previous = process.umask(0o000);
  try {
    const result = await world.aws2fa(['login', 'prod', ALICE.code], { env: { AWS_CONFIG_FILE: config }, terminal: scriptedTerminal([ALICE.mfaSerial]) });
    assert.is(result.status, 0, result.stderr);
  } finally {
    process.umask(previous);
  }
  assert.is(await world.mode(config), 0o600);
  assert.is(await world.mode(join(world.home, 'new', 'deeper')), 0o700);
  assert.is(await world.mode(join(world.home, 'new')), 0o700);
  assert.is(await world.read(config), `[profile prod]\nmfa_serial = ${ALICE.mfaSerial}\n`);
  assert.equal(await leftovers(join(world.home, 'new', 'deeper')), []);
});

Disk("root writing another user's file keeps its owner and its mode (not silently chmod-ed), with a warning if others can read it", async ({ world }) => {
  if (!isRoot) return skipped('not root: cannot chown a file to another user');
  await chown(world.credentials, OTHER_UID, OTHER_UID);
  await chmod(world.credentials, 0o640);
  const login = await binary(world, ['login', 'prod', ALICE.code]);
  assert.is(login.status, 0, login.stderr);
  assert.match(login.stderr, /warning: .*credentials can be read by other users: chmod 600/);
  let info = await stat(world.credentials);
  assert.equal([info.uid, info.gid, info.mode & 0o7777], [OTHER_UID, OTHER_UID, 0o640]);
  await chmod(world.credentials, 0o600);
  const logout = await binary(world, ['logout', 'prod']);
  assert.is(logout.status, 0);
  assert.is(logout.stderr, '', 'no warning for 0600');
  info = await stat(world.credentials);
  assert.equal([info.uid, info.gid, info.mode & 0o7777], [OTHER_UID, OTHER_UID, 0o600]);
  assert.is(await world.read(world.credentials), STANDARD_CREDENTIALS);
});

// As an ordinary user the kernel refuses for real (EACCES), and a file of someone else's cannot be replaced without
// handing it to us: refused, not done behind the owner's back.
Disk('as an ordinary user: read-only folder, a folder of root, read-only file, a writable file owned by someone else', async ({ world }) => {
  if (!isRoot) return skipped('not root: cannot run the binary as another user');
  const asUser = { uid: OTHER_UID };
  execFileSync('chown', ['-R', `${OTHER_UID}:${OTHER_UID}`, world.home]);
  await chmod(world.home, 0o755);
  await chmod(world.aws, 0o500);
  await expectRefused(world, ['login', 'prod', ALICE.code], /the folder .*\.aws is read-only: make it writable/, asUser);
  await chown(world.aws, 0, 0);
  await chmod(world.aws, 0o755);
  await expectRefused(world, ['login', 'prod', ALICE.code], /cannot create files in .*\.aws: the folder is not writable \(check its owner and mode\)/, asUser);
  await chown(world.aws, OTHER_UID, OTHER_UID);
  await chmod(world.aws, 0o700);
  await chmod(world.credentials, 0o400);
  await expectRefused(world, ['login', 'prod', ALICE.code], /credentials is read-only/, asUser);
  await chmod(world.credentials, 0o666);
  await chown(world.credentials, OTHER_UID + 1, OTHER_UID + 1);
  await expectRefused(world, ['login', 'prod', ALICE.code], /credentials belongs to uid 1001 gid 1001: aws2fa cannot replace it without changing its owner/, asUser);
  const info = await stat(world.credentials);
  assert.equal([info.uid, info.mode & 0o777], [OTHER_UID + 1, 0o666]);
});

Disk('a file of the user with group root, as that user: refused before the code is spent, nothing written', async ({ world }) => {
  if (!isRoot) return skipped('not root: cannot run the binary as another user');
  execFileSync('chown', ['-R', `${OTHER_UID}:${OTHER_UID}`, world.home]);
  await chmod(world.home, 0o755);
  await chown(world.credentials, OTHER_UID, 0);
  await expectRefused(world, ['login', 'prod', ALICE.code], /credentials belongs to uid 1000 gid 0: aws2fa cannot replace it without changing its owner; run aws2fa as its owner/, { uid: OTHER_UID });
});

// Issue 11, item 8: a rename would give one name the new file and leave the other with the old bytes.
Disk('a hard-linked credentials file is refused with one line before the code is spent; both names keep the same file', async ({ world }) => {
  assert.is((await binary(world, ['login', 'prod', ALICE.code])).status, 0);
  const other = join(world.home, 'credentials-link');
  await link(world.credentials, other);
  await expectRefused(world, ['login', 'prod', ALICE.code], /credentials has 2 hard links: aws2fa replaces the file as a whole, which would split them; make the other names symlinks \(ln -sf /);
  await expectRefused(world, ['logout', 'prod'], /credentials has 2 hard links/);
  assert.is((await stat(other)).ino, (await stat(world.credentials)).ino, 'still one file');
});

// Real mounts need root (CAP_SYS_ADMIN); elsewhere these say SKIPPED.
function tryMount(args: string[]): boolean {
  try {
    execFileSync('mount', args, { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

Disk('a read-only file system: one clear line, nothing written', async ({ world }) => {
  const bound = join(world.home, 'ro');
  await mkdir(bound);
  if (!isRoot || !tryMount(['--bind', world.aws, bound])) return skipped('cannot bind-mount here (needs root)');
  if (!tryMount(['-o', 'remount,bind,ro', bound])) {
    execFileSync('umount', [bound]);
    return skipped('cannot make a bind mount read-only here');
  }
  try {
    await expectRefused(world, ['login', 'prod', ALICE.code, '--directory', bound], /the file system is read-only/);
  } finally {
    execFileSync('umount', [bound]);
  }
});

Disk('a full disk: one clear line, the file as it was, no temporary file left', async ({ world }) => {
  const small = join(world.home, 'small');
  await mkdir(small);
  if (!isRoot || !tryMount(['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', small])) return skipped('cannot mount a small tmpfs here (needs root)');
  try {
    // A credentials file bigger than what is left: the lock fits, the temporary copy does not.
    const big = `${STANDARD_CREDENTIALS}${'# padding so the copy needs more room than is left\n'.repeat(400)}`;
    await writeFile(join(small, 'credentials'), big, { mode: 0o600 });
    await writeFile(join(small, 'config'), await world.read(world.config), { mode: 0o600 });
    const free = () => Number(execFileSync('df', ['--output=avail', '-B1', small], { encoding: 'utf8' }).trim().split('\n').pop());
    await writeFile(join(small, 'filler'), Buffer.alloc(Math.max(0, free() - 8192)));
    for (const attempt of ['a little room', 'no room at all']) {
      const result = await binary(world, ['login', 'prod', ALICE.code, '--directory', small]);
      assert.is(result.status, 1, `${attempt}: ${result.stderr}`);
      assert.match(result.stderr, /no space left on the device; nothing was changed/, attempt);
      assert.is(await world.read(join(small, 'credentials')), big, attempt);
      assert.equal(await leftovers(small), [], attempt);
      await writeFile(join(small, 'filler2'), Buffer.alloc(free())).catch(() => undefined);
    }
    await rm(join(small, 'filler'));
    const login = await binary(world, ['login', 'prod', ALICE.code, '--directory', small]);
    assert.is(login.status, 0, `with room again: ${login.stderr}`);
  } finally {
    execFileSync('umount', [small]);
  }
});

Disk.run();
