// The root session held by the shell reaches aws2fa on file descriptor 3 (a pipe, AWS2FA_HELD_FD=3): env login of
// another role or of the root then needs no code and no GetSessionToken; --renew uses only that session.
import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Writable } from 'node:stream';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ALICE } from '../helpers/home.js';
import { BINARY, cleanEnv } from '../helpers/cli.js';
import { finished, type Finished } from '../helpers/child.js';
import { findTool } from '../helpers/tools.js';
import { availableShells, runShellAsync } from '../helpers/shells.js';
import type { World } from '../helpers/world.js';
import { encodeHeld } from '../../src/profiles/held.js';
import { actions, exportsOf, makeRolesWorld } from './world.js';

const Held = suite<{ world: World }>('roles/held: the root session handed over on fd 3');

Held.before.each(async (context) => {
  context.world = await makeRolesWorld();
});
Held.after.each(async (context) => {
  await context.world.remove();
});

// The built binary as the hook runs it: AWS2FA_HOOK=1, the held value on a pipe at fd 3, stdin not a terminal.
async function run(world: World, argv: string[], held?: string): Promise<Finished> {
  const env = cleanEnv(world.home, { ...world.env, AWS2FA_HOOK: '1', ...(held !== undefined ? { AWS2FA_HELD_FD: '3' } : {}) });
  const child = spawn(process.execPath, [BINARY, ...argv, '--shell', 'bash'], {
    env: env as NodeJS.ProcessEnv,
    stdio: ['pipe', 'pipe', 'pipe', held !== undefined ? 'pipe' : 'ignore'],
  });
  child.stdin!.end();
  if (held !== undefined) {
    const pipe = child.stdio[3] as Writable;
    pipe.on('error', () => undefined); // past 64 KiB aws2fa stops reading and closes its end
    pipe.end(held);
  }
  return finished(child);
}

function heldOf(stdout: string): string {
  const value = /__aws2fa_held='([^']*)'/.exec(stdout)?.[1];
  assert.ok(value, `no held value in ${stdout}`);
  return value;
}

Held('a role with a code, then another role and the root with no code and no GetSessionToken', async ({ world }) => {
  const first = await run(world, ['env', 'login', 'admin', ALICE.code]);
  assert.is(first.status, 0, first.stderr);
  const held = heldOf(first.stdout);
  const root = world.fake.issued[0]!;
  world.fake.requests.length = 0;

  const other = await run(world, ['env', 'login', 'readonly'], held);
  assert.is(other.status, 0, other.stderr);
  assert.equal(actions(world), ['AssumeRole']);
  assert.is(world.fake.requests[0]!.accessKeyId, root.accessKeyId, 'signed with the held root session');
  assert.is(exportsOf(other.stdout).AWS_ACCESS_KEY_ID, world.fake.assumed[1]!.accessKeyId);
  assert.is(heldOf(other.stdout), held, 'the same root session is held on');

  const plain = await run(world, ['env', 'login', 'base'], held);
  assert.is(plain.status, 0, plain.stderr);
  assert.equal(actions(world), ['AssumeRole'], 'the root needs no request at all');
  const exports = exportsOf(plain.stdout);
  assert.is(exports.AWS_ACCESS_KEY_ID, root.accessKeyId);
  assert.is(exports.AWS_SESSION_TOKEN, root.sessionToken);
  assert.is(exports.AWS2FA_PROFILE, 'base');
  assert.match(plain.stdout, /^unset AWS2FA_ROOT_PROFILE$/m);
});

Held('--renew assumes the role again from the held session only', async ({ world }) => {
  const first = await run(world, ['env', 'login', 'deep', ALICE.code]);
  assert.is(first.status, 0, first.stderr);
  world.fake.requests.length = 0;
  const renewed = await run(world, ['env', 'login', 'deep', '--renew'], heldOf(first.stdout));
  assert.is(renewed.status, 0, renewed.stderr);
  assert.equal(actions(world), ['AssumeRole', 'AssumeRole']);
  assert.is(world.fake.requests[0]!.accessKeyId, world.fake.issued[0]!.accessKeyId);
  assert.is(exportsOf(renewed.stdout).AWS_ACCESS_KEY_ID, world.fake.assumed.at(-1)!.accessKeyId);
});

Held('a held value that is malformed, of another file or profile, or too short-lived is not used', async ({ world }) => {
  const first = await run(world, ['env', 'login', 'base', ALICE.code]);
  const root = world.fake.issued[0]!;
  const keys = { accessKeyId: root.accessKeyId, secretAccessKey: root.secretAccessKey, sessionToken: root.sessionToken };
  const unusable = [
    'garbage',
    `${heldOf(first.stdout)}x!`,
    'aws2fa-held-1:' + Buffer.from(JSON.stringify({ profile: 'base' })).toString('base64url'),
    encodeHeld({ profile: 'base', credentials: '/elsewhere/credentials', keys: { ...keys, expiration: root.expiration } }),
    encodeHeld({ profile: 'admin', credentials: world.credentials, keys: { ...keys, expiration: root.expiration } }),
    encodeHeld({ profile: 'base', credentials: world.credentials, keys: { ...keys, expiration: new Date(Date.now() + 100_000) } }),
    'x'.repeat(70 * 1024),
  ];
  world.fake.requests.length = 0;
  for (const held of unusable) {
    const result = await run(world, ['env', 'login', 'admin', '--renew'], held);
    assert.is(result.status, 1, result.stderr);
    assert.is(result.stdout, '');
    assert.is(result.stderr, 'aws2fa: cannot renew admin: this shell holds no session of base with 5 minutes left; run aws2fa env login admin\n');
  }
  assert.equal(actions(world), []);
  const good = await run(world, ['env', 'login', 'admin', '--renew'], heldOf(first.stdout));
  assert.is(good.status, 0, good.stderr);
});

Held('a CODE given makes a new root session even while one is held', async ({ world }) => {
  const first = await run(world, ['env', 'login', 'admin', ALICE.code]);
  world.fake.requests.length = 0;
  const again = await run(world, ['env', 'login', 'admin', ALICE.code], heldOf(first.stdout));
  assert.is(again.status, 0, again.stderr);
  assert.equal(actions(world), ['GetSessionToken', 'AssumeRole']);
  assert.is.not(heldOf(again.stdout), heldOf(first.stdout));
});

Held('from bash as the hook hands it over: 3< <(printf ...)', async ({ world }) => {
  const bash = findTool('bash');
  if (!bash) return;
  const first = await run(world, ['env', 'login', 'admin', ALICE.code]);
  world.fake.requests.length = 0;
  const script = `__aws2fa_held="$HELD"; AWS2FA_HOOK=1 AWS2FA_HELD_FD=3 "$NODE" "$BIN" env login readonly --shell bash 3< <(builtin printf '%s' "$__aws2fa_held")`;
  const child = spawn(bash, ['-c', script], {
    env: cleanEnv(world.home, { ...world.env, HELD: heldOf(first.stdout), NODE: process.execPath, BIN: BINARY }) as NodeJS.ProcessEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const result = await finished(child);
  assert.is(result.status, 0, result.stderr);
  assert.equal(actions(world), ['AssumeRole']);
  assert.is(world.fake.requests[0]!.accessKeyId, world.fake.issued[0]!.accessKeyId);
});

Held('a held pipe whose writer never closes is given up within its bound: --renew fails, it never hangs', async ({ world }) => {
  const bash = findTool('bash');
  if (!bash) return;
  // The writer holds the pipe open and says nothing; it is ended once aws2fa is done.
  const script =
    `AWS2FA_HELD_FD=3 "$NODE" "$BIN" env login admin --renew --shell bash 3< <(echo $BASHPID > "$HOME/writer"; exec sleep 60 >/dev/null 2>&1); ` +
    `status=$?; kill "$(cat "$HOME/writer")"; exit $status`;
  const child = spawn(bash, ['-c', script], {
    env: cleanEnv(world.home, { ...world.env, NODE: process.execPath, BIN: BINARY }) as NodeJS.ProcessEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let hung = false;
  const guard = setTimeout(() => {
    hung = true;
    child.kill('SIGKILL');
  }, 30_000);
  const result = await finished(child);
  clearTimeout(guard);
  assert.not.ok(hung, 'aws2fa waited for the writer');
  assert.is(result.status, 1, result.stderr);
  assert.is(result.stdout, '');
  assert.is(result.stderr, 'aws2fa: cannot renew admin: this shell holds no session of base with 5 minutes left; run aws2fa env login admin\n');
  assert.equal(actions(world), []);
});

Held('bash, zsh, fish: evaluated, the held session is a shell variable no child process sees', async ({ world }) => {
  const result = await run(world, ['env', 'login', 'admin', ALICE.code]);
  const posix = result.stdout;
  for (const shell of availableShells(['bash', 'zsh', 'fish'])) {
    const code = shell.kind === 'fish' ? await fishCode(world) : posix;
    const file = join(world.home, `code.${shell.kind}`);
    await writeFile(file, code);
    const script =
      shell.kind === 'fish'
        ? `source ${file}; string match -q 'aws2fa-held-1:*' -- $__aws2fa_held; and echo held; env | string match -q '*aws2fa-held*'; and echo LEAKED; true`
        : `. ${file}; case "$__aws2fa_held" in aws2fa-held-1:*) echo held;; esac; env | grep -q aws2fa-held && echo LEAKED; true`;
    const out = await runShellAsync(shell, script, world.home);
    assert.is(out.stdout, 'held\n', `${shell.kind}: ${out.stderr}`);
  }
});

async function fishCode(world: World): Promise<string> {
  const env = cleanEnv(world.home, { ...world.env, AWS2FA_HOOK: '1' });
  const child = spawn(process.execPath, [BINARY, 'env', 'login', 'base', ALICE.code, '--shell', 'fish'], { env: env as NodeJS.ProcessEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  const result = await finished(child);
  assert.is(result.status, 0, result.stderr);
  return result.stdout;
}

Held.run();
