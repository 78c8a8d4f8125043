// Roles in env mode end to end: the real hooks in real bash, zsh and fish, the BUILT binary on PATH, the local STS
// endpoint. The shell holds the root's MFA session (never exported, never in a file or argv) and hands it to aws2fa
// on fd 3: one code for every role and the root, renewal before the prompt, `env logout` forgets it.
// `aws2fa exec` through the hook gets the held session too, and its command sees none of it.
import { chmod, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import * as fish from '../../src/shell/fish.js';
import * as posix from '../../src/shell/posix.js';
import { BINARY } from '../helpers/cli.js';
import { ALICE } from '../helpers/home.js';
import { availableShells, runShellAsync, type Shell, type ShellResult, tempDir } from '../helpers/shells.js';
import type { World } from '../helpers/world.js';
import { actions, makeRolesWorld, OTHER_ACCOUNT, ROLE_ARNS } from './world.js';

interface Context {
  world: World;
  /** outside HOME and TMPDIR: the argv-recording wrapper, its log, the env dumps */
  outside: string;
  tmp: string;
  path: string;
}

const E2e = suite<Context>('roles/hook-e2e: role sessions through the real hooks and the built binary');

const HELD_PREFIX = 'aws2fa-held-1:';

E2e.before.each(async (context) => {
  context.world = await makeRolesWorld();
  context.outside = tempDir('aws2fa-roles-e2e-');
  context.tmp = join(context.world.home, 'tmp');
  await mkdir(context.tmp);
  // First on PATH: records its argv (and whether the held value reached its environment), then becomes the binary.
  const bin = join(context.outside, 'bin');
  await mkdir(bin);
  const log = join(context.outside, 'argv.log');
  await writeFile(
    join(bin, 'aws2fa'),
    `#!/bin/sh
{
  printf 'argv:'; for a in "$@"; do printf '[%s]' "$a"; done; printf '\\n'
  env | grep -q aws2fa-held && printf 'leak:env\\n'
} >> ${posix.quote(log)}
exec ${posix.quote(process.execPath)} ${posix.quote(BINARY)} "$@"
`,
  );
  await chmod(join(bin, 'aws2fa'), 0o755);
  context.path = `${bin}:/usr/local/bin:/usr/bin:/bin`;
});
E2e.after.each(async (context) => {
  await context.world.remove();
  await rm(context.outside, { recursive: true, force: true });
});

// Shell syntax the steps need, per dialect.
function dialect(shell: Shell) {
  const isFish = shell.kind === 'fish';
  const q = isFish ? fish.quote : posix.quote;
  return {
    status: (label: string) => (isFish ? `echo "${label}=$status"` : `echo "${label}=$?"`),
    show: (name: string) =>
      isFish
        ? `if set -q ${name}; printf '%s=%s\\n' ${name} "$${name}"; else; echo ${name}=unset; end`
        : `if [ "\${${name}+set}" = set ]; then printf '%s=%s\\n' ${name} "$${name}"; else echo ${name}=unset; fi`,
    set: (name: string, value: string) => (isFish ? `set -g ${name} ${q(value)}` : `${name}=${q(value)}`),
    unset: (name: string) => (isFish ? `set -e ${name}` : `unset ${name}`),
    dump: (file: string) => `env -0 > ${q(file)}`,
    // What an interactive shell runs before drawing the prompt, through what the hook installed.
    prompt: { bash: `eval "$PROMPT_COMMAND"`, zsh: `for f in $precmd_functions; do "$f"; done`, fish: `emit fish_prompt`, sh: `` }[shell.kind],
  };
}

// Loaded as users install it: the hook printed by the binary's `aws2fa init`.
function script(shell: Shell, steps: string[]): string {
  if (shell.kind === 'fish') return ['aws2fa init fish | source', ...steps].join('\n');
  return [shell.kind === 'zsh' ? 'setopt nounset' : 'set -u', `eval "$(aws2fa init ${shell.kind})"`, ...steps].join('\n');
}

async function run(shell: Shell, context: Context, steps: string[], interactive = false): Promise<ShellResult> {
  const env = { PATH: context.path, TMPDIR: context.tmp, TERM: 'dumb', SHELL: '/bin/sh', ...context.world.env } as Record<string, string>;
  const result = await runShellAsync(shell, script(shell, steps), context.world.home, env, interactive ? ['-i'] : []);
  // bash -i without a terminal says so at start; nothing of ours.
  return { ...result, stderr: result.stderr.replace(/^bash: (cannot set terminal process group .*|no job control in this shell)\n/gm, '') };
}

async function readEnv(file: string): Promise<Record<string, string>> {
  const text = await readFile(file, 'utf8');
  const entries = text.split('\0').filter(Boolean).map((entry) => entry.split(/=(.*)/s).slice(0, 2) as [string, string]);
  // zsh execs a script's last command in place, which changes these two by itself.
  return Object.fromEntries(entries.filter(([name]) => name !== 'SHLVL' && name !== '_'));
}

// `NAME=value` lines the script printed.
function shown(stdout: string): Record<string, string> {
  return Object.fromEntries(
    stdout
      .split('\n')
      .map((line) => /^(\w+)=(.*)$/.exec(line))
      .filter((match): match is RegExpExecArray => match !== null)
      .map((match) => [match[1]!, match[2]!]),
  );
}

// Every file under the folder that holds one of the needles.
async function filesContaining(folder: string, needles: string[]): Promise<string[]> {
  const found: string[] = [];
  for (const entry of await readdir(folder, { withFileTypes: true })) {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) found.push(...(await filesContaining(path, needles)));
    else if (entry.isFile()) {
      const text = await readFile(path, 'latin1');
      if (needles.some((needle) => text.includes(needle))) found.push(path);
    }
  }
  return found;
}

const seconds = (date: Date) => String(Math.floor(date.getTime() / 1000));

for (const shell of availableShells(['bash', 'zsh', 'fish'])) {
  const d = dialect(shell);
  const { kind } = shell;

  E2e(`${kind}: a role with a code, then another role and the root with no code and no GetSessionToken; the held session in no child's environment, file or argv; env logout forgets it`, async (context) => {
    const { world, outside } = context;
    const dump = (name: string) => d.dump(join(outside, `${name}.env`));
    const result = await run(shell, context, [
      `aws2fa env login admin ${ALICE.code}`,
      d.status('admin'),
      dump('admin'),
      `printf 'held=%s\\n' "$__aws2fa_held"`,
      'aws2fa env login readonly',
      d.status('readonly'),
      dump('readonly'),
      'aws2fa env login base',
      d.status('base'),
      dump('base'),
      'aws2fa env logout',
      d.status('logout'),
      dump('logout'),
      d.show('__aws2fa_held'),
      'aws2fa env login readonly',
      d.status('again'),
      dump('again'),
    ]);
    const out = shown(result.stdout);
    assert.equal([out.admin, out.readonly, out.base, out.logout, out.again], ['0', '0', '0', '0', '1'], result.stdout + result.stderr);

    // One code: GetSessionToken with alice's long-term keys, then each role signed with that root session.
    const root = world.fake.issued[0]!;
    assert.is(world.fake.issued.length, 1);
    assert.equal(actions(world), ['GetSessionToken', 'AssumeRole', 'AssumeRole']);
    const [first, second, third] = world.fake.requests;
    assert.is(first!.accessKeyId, ALICE.accessKeyId);
    assert.is(first!.params.TokenCode, ALICE.code);
    assert.equal([second!.params.RoleArn, second!.accessKeyId, second!.params.TokenCode], [ROLE_ARNS.admin, root.accessKeyId, undefined]);
    assert.equal([third!.params.RoleArn, third!.accessKeyId, third!.params.TokenCode], [ROLE_ARNS.readonly, root.accessKeyId, undefined], 'readonly: signed with the held root session');
    assert.ok(world.fake.requests.every((request) => request.signatureValid));

    // The exported variables after each step.
    const [admin, readonly] = world.fake.assumed;
    const roleEnv = async (name: string) => readEnv(join(outside, `${name}.env`));
    const afterAdmin = await roleEnv('admin');
    assert.equal(
      [afterAdmin.AWS_ACCESS_KEY_ID, afterAdmin.AWS_SECRET_ACCESS_KEY, afterAdmin.AWS_SESSION_TOKEN, afterAdmin.AWS2FA_PROFILE, afterAdmin.AWS2FA_EXPIRES],
      [admin!.accessKeyId, admin!.secretAccessKey, admin!.sessionToken, 'admin', seconds(admin!.expiration)],
    );
    assert.equal([afterAdmin.AWS2FA_ROOT_PROFILE, afterAdmin.AWS2FA_ROOT_EXPIRES, afterAdmin.AWS_REGION], ['base', seconds(root.expiration), 'eu-central-1']);
    const afterReadonly = await roleEnv('readonly');
    assert.equal(
      [afterReadonly.AWS_ACCESS_KEY_ID, afterReadonly.AWS_SECRET_ACCESS_KEY, afterReadonly.AWS_SESSION_TOKEN, afterReadonly.AWS2FA_PROFILE, afterReadonly.AWS2FA_EXPIRES],
      [readonly!.accessKeyId, readonly!.secretAccessKey, readonly!.sessionToken, 'readonly', seconds(readonly!.expiration)],
    );
    assert.equal([afterReadonly.AWS2FA_ROOT_PROFILE, afterReadonly.AWS2FA_ROOT_EXPIRES], ['base', seconds(root.expiration)]);
    assert.is(afterReadonly.AWS_REGION, undefined, 'the region admin brought is gone: readonly names none');
    const afterBase = await roleEnv('base');
    assert.equal(
      [afterBase.AWS_ACCESS_KEY_ID, afterBase.AWS_SECRET_ACCESS_KEY, afterBase.AWS_SESSION_TOKEN, afterBase.AWS2FA_PROFILE, afterBase.AWS2FA_EXPIRES],
      [root.accessKeyId, root.secretAccessKey, root.sessionToken, 'base', seconds(root.expiration)],
      'the root: its held session itself, no request',
    );
    assert.equal([afterBase.AWS2FA_ROOT_PROFILE, afterBase.AWS2FA_ROOT_EXPIRES, afterBase.AWS_REGION], [undefined, undefined, 'us-east-1']);
    const afterLogout = await roleEnv('logout');
    assert.equal(Object.keys(afterLogout).filter((name) => name.startsWith('AWS2FA_') || name.startsWith('AWS_') && name !== 'AWS_ENDPOINT_URL' && name !== 'AWS_EC2_METADATA_DISABLED'), []);
    assert.is(out.__aws2fa_held, 'unset', 'env logout forgets the held session');

    // Forgotten: without a code there is nothing to use and no terminal to ask on; no request, the shell unchanged.
    assert.is(
      result.stderr.split('\n').filter((line) => line.startsWith('aws2fa: ')).at(-1),
      'aws2fa: no MFA code given and no terminal to ask on: run aws2fa env login readonly 123456 with the code from your device',
    );
    assert.equal(await roleEnv('again'), afterLogout);

    // The held value: a shell variable only.
    const held = out.held!;
    assert.ok(held.startsWith(HELD_PREFIX), `held: ${held}`);
    const secrets = [held, root.secretAccessKey, root.sessionToken];
    for (const step of ['admin', 'readonly', 'logout', 'again']) {
      const text = await readFile(join(outside, `${step}.env`), 'latin1');
      assert.ok([HELD_PREFIX, ...secrets].every((secret) => !text.includes(secret)), `${step}: a child sees the root session`);
    }
    const exported = await readFile(join(outside, 'base.env'), 'latin1');
    assert.not.ok(exported.includes(HELD_PREFIX), 'base: a child sees the held value');
    // (The prefix alone is in the binary's code cache under HOME: a string of the program, not a secret.)
    assert.equal(await filesContaining(world.home, secrets), [], 'no file under HOME or TMPDIR holds it');
    assert.equal(await readdir(context.tmp), [], 'nothing made in TMPDIR, not even a named pipe');
    const argv = await readFile(join(outside, 'argv.log'), 'utf8');
    assert.equal(argv.split('\n').filter((line) => line.startsWith('argv:')), [
      `argv:[init][${kind}]`,
      `argv:[env][login][--shell][${kind}][admin][${ALICE.code}]`,
      `argv:[env][login][--shell][${kind}][readonly]`,
      `argv:[env][login][--shell][${kind}][base]`,
      `argv:[env][logout][--shell][${kind}]`,
      `argv:[env][login][--shell][${kind}][readonly]`,
    ]);
    assert.not.ok(argv.includes('leak:'), 'aws2fa itself got it in its environment');
  });

  E2e(`${kind}: exec of another role and of the root after env login: no code, no GetSessionToken, the role's variables, the exit status; no held value, hook variable or descriptor 3 in the command`, async (context) => {
    const { world, outside } = context;
    // What the command sees: its environment, and which of its own descriptors are open (those of `sh`, by $$).
    const probe = (name: string, status: number) =>
      `aws2fa exec ${name} -- sh -c ${posix.quote(`env -0 > ${posix.quote(join(outside, `${name}.env`))}; ls /proc/$$/fd > ${posix.quote(join(outside, `${name}.fds`))}; if [ -e /dev/fd/3 ]; then echo fd3=open; else echo fd3=closed; fi; exit ${status}`)}`;
    const result = await run(shell, context, [
      `aws2fa env login admin ${ALICE.code}`,
      d.status('login'),
      probe('readonly', 7),
      d.status('readonly'),
      probe('base', 0),
      d.status('base'),
      `printf 'held=%s\\n' "$__aws2fa_held"`,
    ]);
    const out = shown(result.stdout);
    assert.equal([out.login, out.readonly, out.base], ['0', '7', '0'], result.stdout + result.stderr);
    assert.is(result.stderr.replace(/^This shell has a session of admin .*\n/m, ''), '', 'no prompt, no message');
    assert.equal(result.stdout.split('\n').filter((line) => line.startsWith('fd3=')), ['fd3=closed', 'fd3=closed']);

    // One code, at env login; exec's role is signed with the held root session, the root needs no request.
    const root = world.fake.issued[0]!;
    assert.equal(actions(world), ['GetSessionToken', 'AssumeRole', 'AssumeRole']);
    const execRequest = world.fake.requests[2]!;
    assert.equal([execRequest.params.RoleArn, execRequest.accessKeyId, execRequest.params.TokenCode], [ROLE_ARNS.readonly, root.accessKeyId, undefined]);
    assert.ok(execRequest.signatureValid);

    const readonly = world.fake.assumed[1]!;
    const roleEnv = await readEnv(join(outside, 'readonly.env'));
    assert.equal(
      [roleEnv.AWS_ACCESS_KEY_ID, roleEnv.AWS_SECRET_ACCESS_KEY, roleEnv.AWS_SESSION_TOKEN, roleEnv.AWS2FA_PROFILE, roleEnv.AWS2FA_EXPIRES, roleEnv.AWS_REGION],
      [readonly.accessKeyId, readonly.secretAccessKey, readonly.sessionToken, 'readonly', seconds(readonly.expiration), undefined],
    );
    const rootEnv = await readEnv(join(outside, 'base.env'));
    assert.equal(
      [rootEnv.AWS_ACCESS_KEY_ID, rootEnv.AWS_SECRET_ACCESS_KEY, rootEnv.AWS_SESSION_TOKEN, rootEnv.AWS2FA_PROFILE, rootEnv.AWS2FA_EXPIRES, rootEnv.AWS_REGION],
      [root.accessKeyId, root.secretAccessKey, root.sessionToken, 'base', seconds(root.expiration), 'us-east-1'],
    );

    const held = shown(result.stdout).held!;
    assert.ok(held.startsWith(HELD_PREFIX), `held: ${held}`);
    for (const name of ['readonly', 'base']) {
      const env = await readEnv(join(outside, `${name}.env`));
      assert.equal([env.__aws2fa_held, env.AWS2FA_HOOK, env.AWS2FA_HELD_FD], [undefined, undefined, undefined], `${name}: the hook's variables`);
      const text = await readFile(join(outside, `${name}.env`), 'latin1');
      assert.not.ok(text.includes(HELD_PREFIX) || text.includes(held), `${name}: the command sees the held value`);
      const fds = (await readFile(join(outside, `${name}.fds`), 'utf8')).split('\n').filter(Boolean);
      assert.not.ok(fds.includes('3'), `${name}: descriptor 3 open in the command: ${fds.join(' ')}`);
    }
    const argv = await readFile(join(outside, 'argv.log'), 'utf8');
    assert.not.ok(argv.includes('leak:'), 'aws2fa itself got it in its environment');
  });

  E2e(`${kind}: at the prompt the role is renewed from the held root session when under 5 minutes are left, not otherwise, not with AWS2FA_RENEW=0`, async (context) => {
    const { world } = context;
    const state = (label: string) => `echo "${label}=$AWS_ACCESS_KEY_ID/$AWS2FA_EXPIRES"`;
    // Any expiry under now + 300 at the prompt: the clock moving on only makes it nearer.
    const near = String(Math.floor(Date.now() / 1000) + 100);
    const result = await run(
      shell,
      context,
      [
        `aws2fa env login admin ${ALICE.code}`,
        d.status('login'),
        d.prompt,
        state('far'),
        d.set('AWS2FA_EXPIRES', near),
        d.set('AWS2FA_RENEW', '0'),
        d.prompt,
        state('off'),
        d.unset('AWS2FA_RENEW'),
        d.prompt,
        d.status('prompt'),
        state('renewed'),
        d.dump(join(context.outside, 'renewed.env')),
        d.prompt,
        state('again'),
      ],
      true,
    );
    const out = shown(result.stdout);
    assert.is(out.login, '0', result.stderr);
    assert.is(result.stderr.replace(/^This shell has a session of admin .*\n/m, ''), '', 'renewal is silent');
    const root = world.fake.issued[0]!;
    const [first, renewed] = world.fake.assumed;
    assert.is(out.far, `${first!.accessKeyId}/${seconds(first!.expiration)}`, 'an hour left: no renewal');
    assert.is(out.off, `${first!.accessKeyId}/${near}`, 'AWS2FA_RENEW=0: no renewal');
    assert.ok(renewed, 'renewed at the prompt');
    assert.is(out.prompt, '0');
    assert.is(out.renewed, `${renewed.accessKeyId}/${seconds(renewed.expiration)}`);
    assert.is(out.again, out.renewed, 'renewed once');
    assert.equal(actions(world), ['GetSessionToken', 'AssumeRole', 'AssumeRole']);
    const renewal = world.fake.requests[2]!;
    assert.equal([renewal.params.RoleArn, renewal.accessKeyId, renewal.params.TokenCode], [ROLE_ARNS.admin, root.accessKeyId, undefined], 'signed with the held root session');
    const env = await readEnv(join(context.outside, 'renewed.env'));
    assert.equal(
      [env.AWS_SECRET_ACCESS_KEY, env.AWS_SESSION_TOKEN, env.AWS2FA_PROFILE, env.AWS2FA_ROOT_PROFILE, env.AWS2FA_ROOT_EXPIRES],
      [renewed.secretAccessKey, renewed.sessionToken, 'admin', 'base', seconds(root.expiration)],
    );
    const argv = await readFile(join(context.outside, 'argv.log'), 'utf8');
    assert.equal(argv.split('\n').filter((line) => line.startsWith('argv:')), [
      `argv:[init][${kind}]`,
      `argv:[env][login][--shell][${kind}][admin][${ALICE.code}]`,
      `argv:[env][login][--renew][--shell][${kind}][--][admin]`,
    ]);
    assert.not.ok(argv.includes('leak:'));
  });

  E2e(`${kind}: a renewal AWS refuses prints the binary's one line once, keeps the session, and is not tried again for it`, async (context) => {
    const { world } = context;
    const near = String(Math.floor(Date.now() / 1000) + 100);
    const result = await run(
      shell,
      context,
      [
        `aws2fa env login admin ${ALICE.code}`,
        d.status('login'),
        // admin now names a role AWS does not let alice assume: the next AssumeRole is refused.
        `sed -i 's#role/admin$#role/gone#' "$HOME/.aws/config"`,
        d.set('AWS2FA_EXPIRES', near),
        d.prompt,
        d.prompt,
        `echo "kept=$AWS_ACCESS_KEY_ID/$AWS2FA_EXPIRES"`,
      ],
      true,
    );
    assert.is(shown(result.stdout).login, '0', result.stderr);
    const lines = result.stderr.split('\n').filter((line) => line !== '' && !line.startsWith('This shell has a session of admin '));
    assert.equal(lines, [
      `aws2fa: AWS refused to let you assume role arn:aws:iam::${OTHER_ACCOUNT}:role/gone (profile admin): check the role's trust policy (it must trust your user or account, and may require MFA) and the profile's external_id`,
    ]);
    assert.is(shown(result.stdout).kept, `${world.fake.assumed[0]!.accessKeyId}/${near}`, 'the old session stays');
    assert.equal(actions(world), ['GetSessionToken', 'AssumeRole', 'AssumeRole'], 'tried once, not at every prompt');
    assert.equal([world.fake.requests[2]!.params.RoleArn, world.fake.requests[2]!.accessKeyId], [`arn:aws:iam::${OTHER_ACCOUNT}:role/gone`, world.fake.issued[0]!.accessKeyId]);
  });
}

E2e.run();
