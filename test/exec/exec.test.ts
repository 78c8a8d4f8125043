import { spawn } from 'node:child_process';
import { chmod, readdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { finished } from '../helpers/child.js';
import { BINARY, cleanEnv } from '../helpers/cli.js';
import { ALICE } from '../helpers/home.js';
import { runBinaryGuarded, startBinary } from '../helpers/processes.js';
import { findTool } from '../helpers/tools.js';
import { makeWorld, STANDARD_CONFIG, type World } from '../helpers/world.js';
import { dialog, ptyAvailable } from '../codes/pty-dialog.js';

// aws2fa exec PROFILE [CODE] [--] COMMAND: the command runs as itself, with the session in its environment only.
const Exec = suite<{ world: World; before: Awaited<ReturnType<typeof filesState>> }>('exec: one command with the session, as if run by itself');

async function filesState(world: World) {
  const times = async (path: string) => (await stat(path)).mtimeMs;
  return { ...(await world.snapshot()), times: [await times(world.credentials), await times(world.config)], names: (await readdir(world.aws)).sort() };
}

Exec.before.each(async (context) => {
  context.world = await makeWorld();
  context.before = await filesState(context.world);
});
// No exec ever writes a file: every test ends with both files as they were (bytes and times) and nothing beside.
Exec.after.each(async (context) => {
  assert.equal(await filesState(context.world), context.before, 'no file written');
  await context.world.remove();
});

const envOf = (world: World, extra: Record<string, string> = {}) => cleanEnv(world.home, { AWS_ENDPOINT_URL: world.fake.url, ...extra });

function parseEnv(text: string): Record<string, string> {
  return Object.fromEntries(text.trimEnd().split('\n').map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]));
}

Exec('the command gets exactly the variables of env login; AWS_PROFILE and the like gone, the user\'s own kept', async ({ world }) => {
  // AWS2FA_FILES: the files of the shell's own env session, not this one's.
  const user = { MY_OWN: 'kept as it was', AWS_PROFILE: 'prod', AWS_DEFAULT_PROFILE: 'prod', AWS_SECURITY_TOKEN: 'stale', AWS2FA_FILES: '{"credentials":"/stale"}' };
  const result = await runBinaryGuarded(['exec', 'prod', ALICE.code, '--', 'env'], envOf(world, user));
  assert.is(result.status, 0, result.stderr);
  assert.is(result.stderr, '');
  const session = world.fake.issued[0]!;
  const expiration = session.expiration.toISOString().replace('.000Z', 'Z');
  const { AWS_PROFILE, AWS_DEFAULT_PROFILE, AWS_SECURITY_TOKEN, AWS2FA_FILES, ...kept } = envOf(world, user);
  const added = {
    AWS_ACCESS_KEY_ID: session.accessKeyId,
    AWS_SECRET_ACCESS_KEY: session.secretAccessKey,
    AWS_SESSION_TOKEN: session.sessionToken,
    AWS_SESSION_EXPIRATION: expiration,
    AWS_CREDENTIAL_EXPIRATION: expiration,
    AWS2FA_PROFILE: 'prod',
    AWS2FA_EXPIRES: String(Math.floor(session.expiration.getTime() / 1000)),
    AWS_REGION: 'eu-west-1',
    AWS_DEFAULT_REGION: 'eu-west-1',
    AWS2FA_REGION: 'eu-west-1',
  };
  assert.equal(parseEnv(result.stdout), { ...kept, ...added });

  // The same names env login exports, and the same it unsets.
  const printed = await runBinaryGuarded(['env', 'login', 'prod', ALICE.code, '--shell', 'bash'], envOf(world));
  const exported = [...printed.stdout.matchAll(/^export (\w+)=/gm)].map((match) => match[1]).sort();
  const unset = [...printed.stdout.matchAll(/^unset (\w+)$/gm)].map((match) => match[1]).sort();
  assert.equal(exported, Object.keys(added).sort());
  assert.equal(unset, ['AWS2FA_FILES', 'AWS2FA_ROOT_EXPIRES', 'AWS2FA_ROOT_PROFILE', 'AWS_DEFAULT_PROFILE', 'AWS_PROFILE', 'AWS_SECURITY_TOKEN']);
});

Exec('a profile without a region: a region an earlier env login set is removed, one the user set is kept', async (context) => {
  const { world } = context;
  await world.writeConfig(STANDARD_CONFIG.replace('region = eu-west-1\n', ''));
  context.before = await filesState(world);
  const fromLogin = { AWS_REGION: 'ap-south-1', AWS_DEFAULT_REGION: 'ap-south-1', AWS2FA_REGION: 'ap-south-1' };
  const first = await runBinaryGuarded(['exec', 'prod', ALICE.code, '--', 'env'], envOf(world, fromLogin));
  assert.is(first.status, 0, first.stderr);
  assert.not.match(first.stdout, /REGION/);
  const second = await runBinaryGuarded(['exec', 'prod', ALICE.code, '--', 'env'], envOf(world, { AWS_REGION: 'us-west-2' }));
  assert.match(second.stdout, /^AWS_REGION=us-west-2$/m);
});

for (const [script, status] of [
  ['exit 0', 0],
  ['exit 1', 1],
  ['exit 42', 42],
  ['kill -TERM $$', 143],
  ['kill -KILL $$', 137],
] as const) {
  Exec(`the command's end is the run's: \`${script}\` exits ${status}`, async ({ world }) => {
    const result = await runBinaryGuarded(['exec', 'prod', ALICE.code, '--', 'sh', '-c', script], envOf(world));
    assert.equal([result.status, result.stdout, result.stderr], [status, '', '']);
  });
}

Exec('stdin, stdout and stderr are the command\'s own', async ({ world }) => {
  const result = await runBinaryGuarded(['exec', 'prod', ALICE.code, '--', 'sh', '-c', 'read -r line; echo "out $line"; echo "err $line" >&2'], envOf(world), {
    stdin: 'typed\n',
  });
  assert.equal([result.status, result.stdout, result.stderr], [0, 'out typed\n', 'err typed\n']);
});

// The child waits for the signal and says so; it says "ready" once the signal is blocked for sigwait, and only then
// is aws2fa signalled: no window where the signal could come too early or be missed. (bash's traps have such windows,
// and bash ignores a WINCH trap while it waits for a foreground command.)
const WAITER = `import signal, sys
wanted = getattr(signal, sys.argv[1])
signal.pthread_sigmask(signal.SIG_BLOCK, {wanted})
print('ready', flush=True)
signal.sigwait({wanted})
print('got ' + sys.argv[1], flush=True)
sys.exit(7)`;

for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT', 'SIGUSR1', 'SIGUSR2', 'SIGWINCH'] as const) {
  Exec(`${signal} sent to aws2fa reaches the command`, async ({ world }) => {
    const python = findTool('python3');
    if (!python) return;
    // In a session of its own: a terminal's Ctrl-C reaches the command by itself and is not passed on again.
    const running = startBinary(['exec', 'prod', ALICE.code, '--', python, '-c', WAITER, signal], envOf(world), { detached: true });
    const ready = await Promise.race([
      new Promise<boolean>((resolve) => {
        let seen = '';
        running.child.stdout!.on('data', (chunk: Buffer) => {
          seen += chunk.toString();
          if (seen.includes('ready\n')) resolve(true);
        });
      }),
      running.exited.then(() => false),
    ]);
    if (!ready) assert.unreachable(`the command never said ready: ${JSON.stringify(await running.exited)}`);
    running.child.kill(signal);
    const exit = await running.exited;
    assert.not.ok(exit.guardKilled);
    assert.equal([exit.status, exit.stdout, exit.stderr], [7, `ready\ngot ${signal}\n`, '']);
  });
}

Exec('on a terminal: the code asked, then the terminal is the command\'s; a Ctrl-C reaches it once, not twice', async ({ world }) => {
  if (!ptyAvailable()) return;
  const python = findTool('python3');
  if (!python) return;
  // Counts its SIGINTs; says the count on SIGUSR1, which aws2fa passes on after any SIGINT it passed on before. The
  // signals are taken with sigwait: bash's traps miss one that comes just before its read blocks.
  const script = `import signal, sys
wanted = {signal.SIGINT, signal.SIGUSR1}
signal.pthread_sigmask(signal.SIG_BLOCK, wanted)
print('ready', flush=True)
print('read ' + sys.stdin.readline().strip(), flush=True)
ints = 0
while signal.sigwait(wanted) == signal.SIGINT:
    ints += 1
    print('got INT', flush=True)
print(f'ints {ints}', flush=True)
sys.exit(5)`;
  const run = await dialog(['exec', 'prod', '--', python, '-c', script], envOf(world), world.home, [
    { waitFor: 'MFA code for prod: ', type: `${ALICE.code}\r` },
    { waitFor: 'ready', type: 'typed line\r' },
    { waitFor: 'read typed line', type: '\u0003' },
    { waitFor: 'got INT', signal: 'SIGUSR1' },
    { waitFor: 'ints ' },
  ]);
  assert.is(run.reached, 5, run.output);
  assert.is(run.status, 5, run.output);
  assert.match(run.output, /ints 1\r\n/);
  assert.is(run.output.split('got INT').length - 1, 1);
});

Exec('a command not found: exit 127 and one line', async ({ world }) => {
  const result = await runBinaryGuarded(['exec', 'prod', ALICE.code, '--', 'no-such-command-of-aws2fa', '--flag'], envOf(world));
  assert.equal([result.status, result.stdout, result.stderr], [127, '', 'aws2fa: no-such-command-of-aws2fa: command not found\n']);
});

Exec('without COMMAND it starts $SHELL with the session, else /bin/sh', async ({ world }) => {
  const shell = join(world.home, 'recording-shell');
  await writeFile(shell, '#!/bin/sh\necho "shell with $# arguments for $AWS2FA_PROFILE, key $AWS_ACCESS_KEY_ID"\n');
  await chmod(shell, 0o700);
  const result = await runBinaryGuarded(['exec', 'prod', ALICE.code], envOf(world, { SHELL: shell }));
  assert.equal([result.status, result.stdout, result.stderr], [0, `shell with 0 arguments for prod, key ${world.fake.issued[0]!.accessKeyId}\n`, '']);
  const plain = await runBinaryGuarded(['exec', 'prod', ALICE.code], envOf(world), { stdin: 'echo "sh has $AWS2FA_PROFILE"\n' });
  assert.equal([plain.status, plain.stdout], [0, 'sh has prod\n']);
});

Exec('the code is asked for when not given; without a terminal that is one line, before any request', async ({ world }) => {
  const result = await runBinaryGuarded(['exec', 'prod', '--', 'true'], envOf(world));
  assert.equal([result.status, result.stdout], [1, '']);
  assert.is(result.stderr, 'aws2fa: no MFA code given and no terminal to ask on: run aws2fa exec prod 123456 with the code from your device\n');
  assert.is(world.fake.requests.length, 0);
});

Exec('options of env login apply before --: --duration and --region reach STS', async ({ world }) => {
  const result = await runBinaryGuarded(['exec', '--duration', '3600', 'prod', ALICE.code, '--region', 'eu-central-1', '--', 'true'], envOf(world));
  assert.is(result.status, 0, result.stderr);
  assert.is(world.fake.requests[0]!.params.DurationSeconds, '3600');
  assert.is(world.fake.requests[0]!.region, 'eu-central-1');
});

// The hook hands the held session on descriptor 3: it must not reach the command, nor must the hook's variables.
Exec('the descriptor of the held session and the hook\'s variables do not reach the command', async ({ world }) => {
  const probe = 'if [ -e /proc/$$/fd/3 ]; then echo fd3 open; else echo fd3 closed; fi; echo "hook ${AWS2FA_HOOK-unset} fd ${AWS2FA_HELD_FD-unset}"';
  const child = spawn(process.execPath, [BINARY, 'exec', 'prod', ALICE.code, '--', 'sh', '-c', probe], {
    env: envOf(world, { AWS2FA_HOOK: '1', AWS2FA_HELD_FD: '3' }) as NodeJS.ProcessEnv,
    stdio: ['ignore', 'pipe', 'pipe', 'pipe'],
  });
  const held = await finished(child);
  assert.equal([held.status, held.stdout, held.stderr], [0, 'fd3 closed\nhook unset fd unset\n', '']);
});

Exec('--help shows the form and examples', async ({ world }) => {
  const result = await runBinaryGuarded(['exec', '--help'], envOf(world));
  assert.is(result.status, 0);
  assert.match(result.stdout, /\$ aws2fa exec .*PROFILE/);
  assert.match(result.stdout, /terraform plan/);
  assert.match(result.stdout, /deploy\.sh/);
});

Exec.run();
