// The descriptor the held root session comes on (AWS2FA_HELD_FD): aws2fa touches only a pipe the shell really
// passed on 3 (anything else may be one of Node's own: reading or closing it aborted Node, exit 134, after the
// session was printed), and no child of aws2fa (the exec'd command, docker of --ecr, mfa_process) inherits any copy
// of it: not 3, not bash's /dev/fd/63 of `3< <(…)`. Checked with /proc and, as on macOS, without it.
import { spawn } from 'node:child_process';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { BINARY, cleanEnv } from '../helpers/cli.js';
import { finished, type Finished } from '../helpers/child.js';
import { ALICE } from '../helpers/home.js';
import { HOOK } from '../helpers/shell-dialect.js';
import { availableShells, type Shell } from '../helpers/shells.js';
import { findTool } from '../helpers/tools.js';
import type { World } from '../helpers/world.js';
import * as posix from '../../src/shell/posix.js';
import { actions, exportsOf, makeRolesWorld } from '../roles/world.js';

const Fd = suite<{ world: World }>('shell/held-descriptor: only the pipe the shell passed, and no child gets it');

Fd.before.each(async (context) => {
  context.world = await makeRolesWorld();
});
Fd.after.each(async (context) => {
  await context.world.remove();
});

const bash = findTool('bash');

// The binary started from a bash script (redirections as written there). The script starts with no descriptor
// above 2 (whatever ran the tests may have left one open): what a child sees open is what the script opened.
const CLEAN_START = `n=3; while [ $n -lt 256 ]; do if [ -e /dev/fd/$n ]; then eval "exec $n>&-"; fi; n=$((n + 1)); done; `;

async function fromBash(world: World, script: string, env: Record<string, string> = {}): Promise<Finished> {
  const child = spawn(bash!, ['--norc', '--noprofile', '-c', CLEAN_START + script], {
    env: cleanEnv(world.home, { ...world.env, NODE: process.execPath, BIN: BINARY, ...env }) as NodeJS.ProcessEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return finished(child);
}

// Records which of its descriptors above 2 are pipes, the portable way (test -p on /dev/fd/N, a builtin: the
// shell's own descriptors) and on Linux from /proc; then does its job (a code, docker's `Login Succeeded`).
const PROBE = (record: string, then: string) => `#!/bin/sh
n=3; open=''
while [ $n -lt 256 ]; do if [ -p /dev/fd/$n ]; then open="$open $n"; fi; n=$((n + 1)); done
ls -l /proc/$$/fd > ${posix.quote(`${record}.ls`)} 2>/dev/null
proc=$(awk '$9 > 2 && /pipe:/ { printf " %s", $9 }' ${posix.quote(`${record}.ls`)})
printf 'fifo:%s\\nproc:%s\\n' "$open" "$proc" > ${posix.quote(record)}
${then}
`;

async function probe(world: World, name: string, then: string): Promise<{ path: string; record: string }> {
  const dir = join(world.home, 'probes');
  await mkdir(dir, { recursive: true });
  const path = join(dir, name);
  const record = join(dir, `${name}.seen`);
  await writeFile(path, PROBE(record, then));
  await chmod(path, 0o755);
  return { path, record };
}

async function seen(record: string): Promise<string> {
  return readFile(record, 'utf8');
}

const NO_PIPES = 'fifo:\nproc:\n';

if (bash) {
  for (const named of ['3', '4', '5', '6', '7', '8', '9']) {
    Fd(`AWS2FA_HELD_FD=${named} with no descriptor passed: one line, the session printed, exit 0, no crash`, async ({ world }) => {
      const result = await fromBash(world, `AWS2FA_HOOK=1 AWS2FA_HELD_FD=${named} "$NODE" "$BIN" env login admin ${ALICE.code} --shell bash`);
      assert.is(result.status, 0, result.stderr);
      assert.ok(exportsOf(result.stdout).AWS_ACCESS_KEY_ID, result.stdout);
      const lines = result.stderr.split('\n').filter((line) => line.startsWith('aws2fa: '));
      assert.equal(lines.length, 1, result.stderr);
      assert.match(lines[0]!, new RegExp(`^aws2fa: AWS2FA_HELD_FD=${named} ignored: `));
    });
  }

  Fd('AWS2FA_HELD_FD=3 naming a regular file, or a FIFO this process could write to: not read, one line', async ({ world }) => {
    await writeFile(join(world.home, 'file'), 'aws2fa-held-1:x');
    const file = await fromBash(world, `AWS2FA_HOOK=1 AWS2FA_HELD_FD=3 "$NODE" "$BIN" env login admin ${ALICE.code} --shell bash 3<"$HOME/file"`);
    assert.is(file.status, 0, file.stderr);
    assert.match(file.stderr, /^aws2fa: AWS2FA_HELD_FD=3 ignored: descriptor 3 is not a pipe$/m);
    for (const noProc of ['', '1']) {
      // Opened read-write, the FIFO would never see end-of-file: reading it would wait for ever.
      const fifo = await fromBash(world, `mkfifo "$HOME/fifo$AWS2FA_TEST_NO_PROC" && AWS2FA_HOOK=1 AWS2FA_HELD_FD=3 "$NODE" "$BIN" env login admin ${ALICE.code} --shell bash 3<>"$HOME/fifo$AWS2FA_TEST_NO_PROC"`, { AWS2FA_TEST_NO_PROC: noProc });
      assert.is(fifo.status, 0, fifo.stderr);
      assert.match(fifo.stderr, /^aws2fa: AWS2FA_HELD_FD=3 ignored: descriptor 3 is a pipe this process can write to, not one the shell passed$/m, `no /proc: ${noProc}`);
    }
    assert.equal(actions(world).filter((action) => action === 'GetSessionToken').length, 3);
  });

  for (const noProc of ['', '1']) {
    const how = noProc ? 'without /proc (as on macOS)' : 'with /proc';
    Fd(`${how}: the held pipe passed as bash passes it (3< <(…), a copy on 63) reaches no exec'd command, docker or mfa_process`, async ({ world }) => {
      const first = await fromBash(world, `AWS2FA_HOOK=1 "$NODE" "$BIN" env login admin ${ALICE.code} --shell bash`);
      assert.is(first.status, 0, first.stderr);
      const held = /__aws2fa_held='([^']*)'/.exec(first.stdout)?.[1];
      assert.ok(held, first.stdout);
      const env = { HELD: held, AWS2FA_TEST_NO_PROC: noProc };
      const passed = `3< <(builtin printf '%s' "$HELD")`;

      const command = await probe(world, 'command', 'exit 7');
      const ran = await fromBash(world, `AWS2FA_HOOK=1 AWS2FA_HELD_FD=3 "$NODE" "$BIN" exec readonly -- ${posix.quote(command.path)} ${passed}`, env);
      assert.is(ran.status, 7, ran.stderr);
      assert.is(await seen(command.record), NO_PIPES, 'the exec\'d command');
      assert.is(world.fake.requests.at(-1)!.accessKeyId, world.fake.issued[0]!.accessKeyId, 'the held session was read');

      const docker = await probe(world, 'docker', 'cat >/dev/null; echo "Login Succeeded"');
      const ecr = await fromBash(world, `AWS2FA_HOOK=1 AWS2FA_HELD_FD=3 "$NODE" "$BIN" env login base ${ALICE.code} --ecr --shell bash ${passed}`, { ...env, AWS2FA_DOCKER: docker.path });
      assert.is(ecr.status, 0, ecr.stderr);
      assert.is(await seen(docker.record), NO_PIPES, 'docker');

      // A held value that is no session: the root's session comes from mfa_process.
      const mfa = await probe(world, 'mfa', `echo ${ALICE.code}`);
      const config = join(world.home, '.aws', 'config');
      await writeFile(config, (await readFile(config, 'utf8')).replace('[profile base]\n', `[profile base]\nmfa_process = ${mfa.path}\n`));
      const coded = await fromBash(world, `AWS2FA_HOOK=1 AWS2FA_HELD_FD=3 "$NODE" "$BIN" env login admin --shell bash 3< <(builtin printf 'not-a-session')`, env);
      assert.is(coded.status, 0, coded.stderr);
      assert.is(await seen(mfa.record), NO_PIPES, 'mfa_process');
    });
  }
}

// The shell, started with no descriptor above 2 (through bash, which closes them and becomes it).
async function cleanShell(shell: Shell, world: World, script: string, env: Record<string, string>): Promise<Finished> {
  const flags = { bash: ['--norc', '--noprofile'], zsh: ['-f'], fish: ['--no-config'], sh: [] }[shell.kind];
  const child = spawn(bash!, ['--norc', '--noprofile', '-c', `${CLEAN_START}exec "$@"`, 'clean', shell.path, ...flags, '-c', script], {
    cwd: world.home,
    env: cleanEnv(world.home, { ...world.env, ...env }) as NodeJS.ProcessEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return finished(child);
}

// Through the hooks as users load them: every child of a run the hook started sees no pipe above 2.
for (const shell of bash ? availableShells(['bash', 'zsh', 'fish']) : []) {
  const fish = shell.kind === 'fish';
  Fd(`${shell.kind}: through the hook, the exec'd command, docker of --ecr and mfa_process see no pipe from the hook`, async ({ world }) => {
    const bin = join(world.home, 'bin');
    await mkdir(bin);
    await writeFile(join(bin, 'aws2fa'), `#!/bin/sh\nexec ${posix.quote(process.execPath)} ${posix.quote(BINARY)} "$@"\n`);
    await chmod(join(bin, 'aws2fa'), 0o755);
    const command = await probe(world, 'command', 'exit 0');
    const docker = await probe(world, 'docker', 'cat >/dev/null; echo "Login Succeeded"');
    const mfa = await probe(world, 'mfa', `echo ${ALICE.code}`);
    const config = join(world.home, '.aws', 'config');
    await writeFile(config, (await readFile(config, 'utf8')).replace('[profile base]\n', `[profile base]\nmfa_process = ${mfa.path}\n`));
    const status = fish ? 'echo "st=$status"' : 'echo "st=$?"';
    const steps = [
      fish ? `source ${HOOK.fish}` : `. ${posix.quote(HOOK.sh)}`,
      // The root's session from mfa_process; then held by the shell for the exec and the --ecr login.
      'aws2fa env login admin',
      status,
      `aws2fa exec readonly -- ${command.path}`,
      status,
      'aws2fa env login base --ecr',
      status,
    ];
    const result = await cleanShell(shell, world, steps.join('\n'), { PATH: `${bin}:/usr/local/bin:/usr/bin:/bin`, AWS2FA_DOCKER: docker.path });
    assert.is(result.stdout, 'st=0\nst=0\nst=0\n', result.stderr);
    assert.is(await seen(mfa.record), NO_PIPES, 'mfa_process');
    assert.is(await seen(command.record), NO_PIPES, "the exec'd command");
    assert.is(await seen(docker.record), NO_PIPES, 'docker');
    assert.equal(actions(world).filter((action) => action === 'GetSessionToken').length, 1, 'exec and --ecr used the held session');
  });
}

Fd.run();
