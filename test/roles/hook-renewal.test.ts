// Renewal at the prompt never holds it: the built binary through the real hooks (bash, zsh, fish), the local STS
// endpoint. A hanging endpoint costs one try of at most 3 s (the renewal's own bound), a failure waits a minute
// (the hook remembers when: a test moves that time instead of the clock), a Ctrl-C during a renewal counts as a
// failure (a real terminal: python's pty), and sessions made from other files (--name, --directory,
// AWS_SHARED_CREDENTIALS_FILE) are renewed from those files (AWS2FA_FILES).
import { chmod, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import * as fish from '../../src/shell/fish.js';
import * as posix from '../../src/shell/posix.js';
import { BINARY } from '../helpers/cli.js';
import { ALICE } from '../helpers/home.js';
import { startPtyShell, ptyShellAvailable } from '../helpers/pty-shell.js';
import { availableShells, runShellAsync, type Shell, type ShellResult, tempDir } from '../helpers/shells.js';
import type { World } from '../helpers/world.js';
import { actions, makeRolesWorld, ROLE_ARNS } from './world.js';

interface Context {
  world: World;
  outside: string;
  path: string;
}

const Renewal = suite<Context>('roles/hook-renewal: renewal at the prompt is bounded, remembered, and reads the session\'s files');

Renewal.before.each(async (context) => {
  context.world = await makeRolesWorld();
  context.outside = tempDir('aws2fa-renewal-');
  const bin = join(context.outside, 'bin');
  await mkdir(bin);
  await writeFile(
    join(bin, 'aws2fa'),
    `#!/bin/sh
{ printf 'argv:'; for a in "$@"; do printf '[%s]' "$a"; done; printf '\\n'; } >> ${posix.quote(join(context.outside, 'argv.log'))}
exec ${posix.quote(process.execPath)} ${posix.quote(BINARY)} "$@"
`,
  );
  await chmod(join(bin, 'aws2fa'), 0o755);
  context.path = `${bin}:/usr/local/bin:/usr/bin:/bin`;
});
Renewal.after.each(async (context) => {
  await context.world.remove();
  await rm(context.outside, { recursive: true, force: true });
});

function dialect(shell: Shell) {
  const isFish = shell.kind === 'fish';
  return {
    q: isFish ? fish.quote : posix.quote,
    status: (label: string) => (isFish ? `echo "${label}=$status"` : `echo "${label}=$?"`),
    set: (name: string, value: string) => (isFish ? `set -g ${name} ${fish.quote(value)}` : `${name}=${posix.quote(value)}`),
    prompt: { bash: `eval "$PROMPT_COMMAND"`, zsh: `for f in $precmd_functions; do "$f"; done`, fish: `emit fish_prompt`, sh: `` }[shell.kind],
    // The hook's remembered failure, a minute and a second ago.
    failedAMinuteAgo: isFish ? `set -g __aws2fa_renew_failed (math (date +%s) - 61)` : `__aws2fa_renew_failed=$(( $(date +%s) - 61 ))`,
    state: (label: string) => `echo "${label}=$AWS_ACCESS_KEY_ID/$AWS2FA_EXPIRES"`,
  };
}

function script(shell: Shell, steps: string[]): string {
  if (shell.kind === 'fish') return ['aws2fa init fish | source', ...steps].join('\n');
  return [shell.kind === 'zsh' ? 'setopt nounset' : 'set -u', `eval "$(aws2fa init ${shell.kind})"`, ...steps].join('\n');
}

async function run(shell: Shell, context: Context, steps: string[], env: Record<string, string> = {}): Promise<ShellResult> {
  const all = { PATH: context.path, TERM: 'dumb', SHELL: '/bin/sh', ...context.world.env, ...env } as Record<string, string>;
  const result = await runShellAsync(shell, script(shell, steps), context.world.home, all, ['-i']);
  return { ...result, stderr: result.stderr.replace(/^bash: (cannot set terminal process group .*|no job control in this shell)\n/gm, '') };
}

function shown(stdout: string): Record<string, string> {
  return Object.fromEntries(stdout.split('\n').flatMap((line) => {
    const match = /^(\w+)=(.*)$/.exec(line);
    return match ? [[match[1]!, match[2]!]] : [];
  }));
}

const near = () => String(Math.floor(Date.now() / 1000) + 100);
const ourLines = (stderr: string) => stderr.split('\n').filter((line) => line !== '' && !line.startsWith('This shell has a session of '));

for (const shell of availableShells(['bash', 'zsh', 'fish'])) {
  const d = dialect(shell);
  const { kind } = shell;

  Renewal(`${kind}: a hanging endpoint costs the prompt one try of 3 s: one line, the session kept, no try at the next prompt; a minute later it is tried again`, async (context) => {
    const { world } = context;
    const expires = near();
    const getSessionToken = world.fake.nextRequest({ service: 'sts' });
    const finished = run(shell, context, [
      `aws2fa env login admin ${ALICE.code}`,
      d.status('login'),
      d.set('AWS2FA_EXPIRES', expires),
      d.prompt,
      d.state('kept'),
      d.prompt,
      d.failedAMinuteAgo,
      d.prompt,
      d.state('renewed'),
    ]);
    // The login's two requests are answered; the next one (the renewal) hangs, the one after is answered. (Each
    // request waits for the answer to the one before: set between them, the fault cannot come too late.)
    await getSessionToken;
    await world.fake.nextRequest({ service: 'sts' });
    world.fake.injectFault('hang', { service: 'sts', times: 1 });
    const result = await finished;
    assert.is(shown(result.stdout).login, '0', result.stderr);
    assert.equal(ourLines(result.stderr), [
      `aws2fa: STS at ${world.fake.url} did not answer in time (bound 3 s per try): check your network, VPN or AWS_ENDPOINT_URL`,
    ]);
    const [first, renewed] = world.fake.assumed;
    assert.is(shown(result.stdout).kept, `${first!.accessKeyId}/${expires}`, 'the old session stays');
    assert.ok(renewed, result.stderr);
    assert.is(shown(result.stdout).renewed, `${renewed.accessKeyId}/${Math.floor(renewed.expiration.getTime() / 1000)}`);
    // GetSessionToken and the login's AssumeRole; one hanging try; nothing at the next prompt; the try a minute on.
    assert.equal(actions(world), ['GetSessionToken', 'AssumeRole', 'AssumeRole', 'AssumeRole']);
  });

  Renewal(`${kind}: with allexport and tracing on, env login of a role, exec and a renewal with the built binary: no child's environment and no trace holds a secret`, async (context) => {
    const { world, outside } = context;
    const on = {
      bash: ['set -a', `exec 7>${posix.quote(join(outside, 'trace'))}`, 'BASH_XTRACEFD=7', 'set -x'],
      zsh: ['setopt allexport xtrace'],
      fish: ['set -g fish_trace 1'],
      sh: [],
    }[kind];
    const dump = (name: string) => `env > ${d.q(join(outside, `${name}.env`))}`;
    const result = await run(shell, context, [
      ...on,
      `aws2fa env login admin ${ALICE.code}`,
      dump('login'),
      `aws2fa exec readonly -- sh -c ${d.q(`env > ${posix.quote(join(outside, 'exec.env'))}`)}`,
      d.set('AWS2FA_EXPIRES', near()),
      d.prompt,
      dump('renewed'),
      d.state('renewed'),
    ]);
    const [login, , renewed] = world.fake.assumed;
    assert.ok(renewed, result.stderr);
    assert.is(shown(result.stdout).renewed, `${renewed.accessKeyId}/${Math.floor(renewed.expiration.getTime() / 1000)}`);
    const root = world.fake.issued[0]!;
    const held = ['aws2fa-held-1:', root.secretAccessKey, root.sessionToken];
    for (const name of ['login', 'exec', 'renewed']) {
      const text = await readFile(join(outside, `${name}.env`), 'utf8');
      for (const secret of held) assert.not.ok(text.includes(secret), `${name}: a child sees the held session`);
    }
    const trace = kind === 'bash' ? await readFile(join(outside, 'trace'), 'utf8') : result.stderr;
    assert.ok(trace.length > 0, 'traced');
    for (const secret of [...held, login!.secretAccessKey, login!.sessionToken, renewed.secretAccessKey, renewed.sessionToken]) {
      assert.not.ok(trace.includes(secret), `a secret in the trace:\n${trace}`);
    }
  });

  for (const how of ['--name work', '--directory', 'AWS_SHARED_CREDENTIALS_FILE']) {
    Renewal(`${kind}: a session made with ${how} is renewed from the same files`, async (context) => {
      const { world } = context;
      // The files moved away from ~/.aws: a renewal that read the standard ones would find no profile admin.
      const folder = how === '--name work' ? join(world.home, '.aws-work') : join(world.home, 'elsewhere');
      await mkdir(folder);
      await rename(join(world.home, '.aws', 'credentials'), join(folder, 'credentials'));
      await rename(join(world.home, '.aws', 'config'), join(folder, 'config'));
      const login = {
        '--name work': `aws2fa env login admin ${ALICE.code} --name work`,
        '--directory': `aws2fa env login admin ${ALICE.code} --directory ${d.q(folder)}`,
        AWS_SHARED_CREDENTIALS_FILE: `AWS_SHARED_CREDENTIALS_FILE=${d.q(join(folder, 'credentials'))} AWS_CONFIG_FILE=${d.q(join(folder, 'config'))} aws2fa env login admin ${ALICE.code}`,
      }[how]!;
      const result = await run(shell, context, [login, d.status('login'), d.set('AWS2FA_EXPIRES', near()), d.prompt, d.state('renewed'), `echo "files=$AWS2FA_FILES"`]);
      assert.is(shown(result.stdout).login, '0', result.stderr);
      assert.equal(ourLines(result.stderr), []);
      const renewed = world.fake.assumed[1];
      assert.ok(renewed, 'renewed');
      assert.is(shown(result.stdout).renewed, `${renewed.accessKeyId}/${Math.floor(renewed.expiration.getTime() / 1000)}`);
      assert.equal(JSON.parse(shown(result.stdout).files!), { credentials: join(folder, 'credentials'), config: join(folder, 'config') });
      assert.is(world.fake.requests.at(-1)!.params.RoleArn, ROLE_ARNS.admin);
      const argv = (await readFile(join(context.outside, 'argv.log'), 'utf8')).split('\n').filter(Boolean);
      assert.is(argv.at(-1), `argv:[env][login][--renew][--shell][${kind}][--][admin]`, 'the hook passes only the profile');
    });
  }

  if (ptyShellAvailable()) {
    Renewal(`${kind}: a Ctrl-C during a renewal (a real terminal) counts as a failed try: the next prompt does not try again`, async (context) => {
      const { world } = context;
      const argv = {
        bash: [shell.path, '--norc', '--noprofile', '-i'],
        zsh: [shell.path, '-f', '-i'],
        fish: [shell.path, '--no-config', '-i'],
        sh: [],
      }[kind];
      const env = { PATH: context.path, TERM: 'dumb', SHELL: shell.path, HOME: world.home, LANG: 'C.UTF-8', PS1: 'READY> ', PROMPT: 'READY> ', ...world.env } as Record<string, string>;
      const pty = startPtyShell(argv, env, world.home);
      try {
        if (kind === 'fish') await pty.type(`function fish_prompt; printf 'READY> '; end; function fish_greeting; end\n`);
        await pty.waitFor('READY> ');
        const load = kind === 'fish' ? 'aws2fa init fish | source' : `eval "$(aws2fa init ${kind})"`;
        await pty.type(`${load}; aws2fa env login admin ${ALICE.code}; ${d.status('LOGIN')}\n`);
        await pty.waitFor('LOGIN=0');
        await pty.waitFor('READY> ');
        const hold = world.fake.holdAnswers({ service: 'sts' });
        const held = world.fake.nextRequest({ service: 'sts' });
        await pty.type(`${d.set('AWS2FA_EXPIRES', near())}\n`);
        await held; // the renewal waits for its answer: the person presses Ctrl-C
        await pty.type('\x03');
        await pty.waitFor('READY> ');
        hold.release();
        await pty.type(`echo "AFTER"\n`);
        await pty.waitFor('AFTER\r\n');
        await pty.waitFor('READY> ');
        await pty.type(`echo "DONE"\n`);
        await pty.waitFor('DONE\r\n');
        await pty.waitFor('READY> ');
      } finally {
        await pty.close();
      }
      assert.equal(actions(world), ['GetSessionToken', 'AssumeRole', 'AssumeRole'], 'one renewal try, the interrupted one');
    });

    if (kind !== 'fish') {
      Renewal(`${kind}: a Ctrl-C that ends aws2fa exec half-way leaves the shell's own options as they were (allexport on)`, async (context) => {
        const { world } = context;
        const argv = kind === 'bash' ? [shell.path, '--norc', '--noprofile', '-i'] : [shell.path, '-f', '-i'];
        const env = { PATH: context.path, TERM: 'dumb', SHELL: shell.path, HOME: world.home, LANG: 'C.UTF-8', PS1: 'READY> ', PROMPT: 'READY> ', ...world.env } as Record<string, string>;
        const allexport = kind === 'bash' ? 'set -a' : 'setopt allexport';
        const check = kind === 'bash' ? `case $- in *a*) echo "ALLEXPORT=on" ;; *) echo "ALLEXPORT=off" ;; esac` : `[[ -o allexport ]] && echo "ALLEXPORT=on" || echo "ALLEXPORT=off"`;
        const pty = startPtyShell(argv, env, world.home);
        let shownAfter = '';
        try {
          await pty.waitFor('READY> ');
          await pty.type(`eval "$(aws2fa init ${kind})"; ${allexport}; aws2fa exec base ${ALICE.code} -- sh -c 'echo "RUNNING"; exec sleep 30'\n`);
          await pty.waitFor('RUNNING\r\n');
          await pty.type('\x03');
          await pty.waitFor('READY> ');
          await pty.type(`${check}\n`);
          await pty.waitFor('ALLEXPORT=o');
          await pty.waitFor('READY> ');
          shownAfter = pty.output();
        } finally {
          await pty.close();
        }
        assert.match(shownAfter, /ALLEXPORT=on\r\n/);
      });
    }
  }
}

Renewal.run();
