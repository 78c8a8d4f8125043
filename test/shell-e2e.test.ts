import { mkdir, readFile, stat, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { BINARY } from './helpers/cli.js';
import { ALICE } from './helpers/home.js';
import { availableShells, runShellAsync, type Shell } from './helpers/shells.js';
import { findTool } from './helpers/tools.js';
import { makeWorld, type World } from './helpers/world.js';

// The built binary, the real hooks and real bash, zsh and fish against the local STS endpoint.
const E2e = suite<{ world: World; path: string }>('shell hooks end to end: env login changes this shell only');

const HOOKS = fileURLToPath(new URL('../shell/', import.meta.url));
const SDK_CREDENTIALS = fileURLToPath(new URL('./fixtures/sdk-credentials.mjs', import.meta.url));
const awsCli = findTool('AWS CLI v2', ['/usr/bin/aws']);

E2e.before.each(async (context) => {
  context.world = await makeWorld();
  const bin = join(context.world.home, 'bin');
  await mkdir(bin);
  await symlink(BINARY, join(bin, 'aws2fa'));
  context.path = `${bin}:/usr/local/bin:/usr/bin:/bin`;
});
E2e.after.each(async (context) => {
  await context.world.remove();
});

function dumpEnv(file: string): string {
  return `env -0 > '${file}'`;
}

async function readEnv(file: string): Promise<Record<string, string>> {
  const text = await readFile(file, 'utf8');
  const entries = text.split('\0').filter(Boolean).map((entry) => entry.split(/=(.*)/s).slice(0, 2) as [string, string]);
  // zsh execs a script's last command in place, which changes these two by itself.
  return Object.fromEntries(entries.filter(([name]) => name !== 'SHLVL' && name !== '_'));
}

function script(shell: Shell, world: World, steps: string[]): string {
  if (shell.kind === 'fish') return [`source ${HOOKS}aws2fa.fish`, ...steps].join('\n');
  const strict = shell.kind === 'zsh' ? 'setopt nounset' : 'set -u';
  return [strict, `. ${HOOKS}aws2fa.sh`, ...steps].join('\n');
}

const SESSION_VARS = ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_SESSION_EXPIRATION', 'AWS_CREDENTIAL_EXPIRATION', 'AWS2FA_PROFILE', 'AWS2FA_EXPIRES'];

for (const shell of availableShells(['bash', 'zsh', 'fish'])) {
  E2e(`${shell.kind}: env login (-- before the profile) sets every variable, unsets AWS_PROFILE, leaves the files alone; env logout clears and restores AWS_PROFILE`, async ({ world, path }) => {
    const before = await world.snapshot();
    const mtime = (await stat(world.credentials)).mtimeMs;
    const [afterLogin, afterLogout] = [join(world.home, 'login.env'), join(world.home, 'logout.env')];
    const status = shell.kind === 'fish' ? '$status' : '$?';
    const result = await runShellAsync(
      shell,
      script(shell, world, [`aws2fa env login -- prod ${ALICE.code}`, `echo login=${status}`, dumpEnv(afterLogin), 'aws2fa env logout', dumpEnv(afterLogout)]),
      world.home,
      { PATH: path, AWS_ENDPOINT_URL: world.fake.url, AWS_PROFILE: 'prod', AWS_DEFAULT_PROFILE: 'prod', AWS_SECURITY_TOKEN: 'stale', SHELL: '/bin/sh' },
    );
    assert.match(result.stdout, /login=0/, result.stderr);
    const session = world.fake.issued[0]!;
    const env = await readEnv(afterLogin);
    assert.is(env.AWS_ACCESS_KEY_ID, session.accessKeyId);
    assert.is(env.AWS_SECRET_ACCESS_KEY, session.secretAccessKey);
    assert.is(env.AWS_SESSION_TOKEN, session.sessionToken);
    assert.is(env.AWS_SESSION_EXPIRATION, session.expiration.toISOString().replace('.000Z', 'Z'));
    assert.is(env.AWS_CREDENTIAL_EXPIRATION, env.AWS_SESSION_EXPIRATION);
    assert.is(env.AWS2FA_PROFILE, 'prod');
    assert.is(env.AWS2FA_EXPIRES, String(session.expiration.getTime() / 1000));
    assert.is(env.AWS_REGION, 'eu-west-1');
    for (const gone of ['AWS_PROFILE', 'AWS_DEFAULT_PROFILE', 'AWS_SECURITY_TOKEN', 'AWS_VAULT']) assert.is(env[gone], undefined, gone);
    const cleared = await readEnv(afterLogout);
    for (const name of [...SESSION_VARS, 'AWS_REGION', 'AWS_DEFAULT_REGION', 'AWS_SECURITY_TOKEN']) assert.is(cleared[name], undefined, name);
    assert.equal([cleared.AWS_PROFILE, cleared.AWS_DEFAULT_PROFILE], ['prod', 'prod'], 'as before the env login');
    assert.equal(Object.keys(cleared).filter((name) => name.startsWith('AWS2FA_')), []);
    assert.equal(await world.snapshot(), before);
    assert.is((await stat(world.credentials)).mtimeMs, mtime);
    const beside = await runShellAsync(shell, dumpEnv(join(world.home, 'beside.env')), world.home, { PATH: path });
    assert.is(beside.status, 0);
    assert.is((await readEnv(join(world.home, 'beside.env'))).AWS_SESSION_TOKEN, undefined, 'another shell has no session');
  });

  E2e(`${shell.kind}: a failed env login (wrong code) leaves the shell as it was`, async ({ world, path }) => {
    const [before, after] = [join(world.home, 'before.env'), join(world.home, 'after.env')];
    const status = shell.kind === 'fish' ? '$status' : '$?';
    const result = await runShellAsync(
      shell,
      script(shell, world, [dumpEnv(before), 'aws2fa env login prod 000000', `echo login=${status}`, dumpEnv(after)]),
      world.home,
      { PATH: path, AWS_ENDPOINT_URL: world.fake.url, AWS_PROFILE: 'prod' },
    );
    assert.match(result.stdout, /login=1/);
    assert.match(result.stderr, /AWS rejected the MFA code/);
    assert.equal(await readEnv(after), await readEnv(before));
  });

  E2e(`${shell.kind}: the AWS CLI v2 and the AWS SDK for JavaScript v3 resolve the exported session`, async ({ world, path }) => {
    const out = join(world.home, 'resolved');
    const steps = [`aws2fa env login prod ${ALICE.code}`, `node ${SDK_CREDENTIALS} > ${out}.sdk`];
    if (awsCli) steps.push(`${awsCli} configure export-credentials --format env > ${out}.cli`);
    const result = await runShellAsync(shell, script(shell, world, steps), world.home, { PATH: path, AWS_ENDPOINT_URL: world.fake.url, AWS_PROFILE: 'prod' });
    assert.is(result.status, 0, result.stderr);
    const session = world.fake.issued[0]!;
    assert.equal(JSON.parse(await readFile(`${out}.sdk`, 'utf8')), { accessKeyId: session.accessKeyId, sessionToken: session.sessionToken });
    if (awsCli) {
      const cli = await readFile(`${out}.cli`, 'utf8');
      assert.match(cli, new RegExp(`^export AWS_ACCESS_KEY_ID=${session.accessKeyId}$`, 'm'));
      assert.ok(cli.includes(`export AWS_SESSION_TOKEN=${session.sessionToken}\n`));
    }
  });
}

E2e.run();
