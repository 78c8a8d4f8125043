import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { chmod, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { finished, type Finished } from '../helpers/child.js';
import { BINARY, cleanEnv } from '../helpers/cli.js';
import { ALICE } from '../helpers/home.js';
import { until } from '../helpers/processes.js';
import { makeWorld, STANDARD_CONFIG, type World } from '../helpers/world.js';
import { dialog, dialogInShell, ptyAvailable } from './pty-dialog.js';

// mfa_process runs in a process group of its own, and the whole group ends when aws2fa moves on: on time-out, after
// a code, after a failure. A code printed on time counts even when a background child keeps stdout open.
const Group = suite<{ world: World; pidFile: string }>('codes: mfa_process in its own group, ended with aws2fa\'s wait');

Group.before.each(async (context) => {
  context.world = await makeWorld();
  context.pidFile = join(context.world.home, 'lingering.pid');
});
Group.after.each(async (context) => {
  await context.world.remove();
});

async function useProcess(world: World, body: string): Promise<void> {
  const script = join(world.home, 'mfa-code.sh');
  await writeFile(script, `#!/bin/sh\n${body}\n`);
  await chmod(script, 0o700);
  await world.writeConfig(STANDARD_CONFIG.replace('output = json\n', `output = json\nmfa_process = ${script}\n`));
}

const envOf = (world: World, extra: Record<string, string> = {}) => cleanEnv(world.home, { AWS_ENDPOINT_URL: world.fake.url, ...extra });

// Without a controlling terminal, as under cron or CI.
async function run(world: World, argv: string[], extra: Record<string, string> = {}): Promise<Finished> {
  const child = spawn(process.execPath, [BINARY, ...argv], { env: envOf(world, extra) as NodeJS.ProcessEnv, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  const guard = setTimeout(() => child.kill('SIGKILL'), 30_000);
  try {
    return await finished(child);
  } finally {
    clearTimeout(guard);
  }
}

// Alive and not a zombie waiting to be reaped.
function running(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

function pidWritten(pidFile: string): boolean {
  try {
    return readFileSync(pidFile, 'utf8').trim().length > 0;
  } catch {
    return false;
  }
}

// The lingering process named by the pid file ends (a kill takes effect when the process next runs): waited for,
// the limit only ends a test whose process would never end.
async function assertEnds(pidFile: string): Promise<void> {
  const pid = Number((await readFile(pidFile, 'utf8')).trim());
  assert.ok(pid > 0, 'the pid was written');
  await until(() => !running(pid), 10_000).catch(() => assert.unreachable(`process ${pid} of mfa_process's group still runs`));
}

Group('a code printed with a newline counts though a background child keeps stdout open; that child is ended', async ({ world, pidFile }) => {
  await useProcess(world, `echo ${ALICE.code}; sleep 300 & echo $! > ${pidFile}; exit 0`);
  // Before, aws2fa waited for the end of stdout until the bound, then failed.
  const result = await run(world, ['login', 'prod'], { AWS2FA_MFA_PROCESS_TIMEOUT: '20' });
  assert.is(result.status, 0, result.stderr);
  assert.is(world.fake.requests[0]!.params.TokenCode, ALICE.code);
  await assertEnds(pidFile);
});

Group('a code without a line end waits for the end of stdout; a failure exit does not wait for it', async ({ world, pidFile }) => {
  await useProcess(world, `printf ${ALICE.code}`);
  const unended = await run(world, ['login', 'prod']);
  assert.is(unended.status, 0, unended.stderr);
  await useProcess(world, `echo ${ALICE.code}; sleep 300 & echo $! > ${pidFile}; exit 3`);
  const failed = await run(world, ['login', 'prod'], { AWS2FA_MFA_PROCESS_TIMEOUT: '20' });
  assert.equal([failed.status, failed.stdout], [1, '']);
  assert.is(failed.stderr, 'aws2fa: mfa_process of profile prod failed with exit status 3; run it by itself to see why, or give the code on the command line\n');
  await assertEnds(pidFile);
  assert.is(world.fake.requests.length, 1);
});

Group('on time-out the whole group ends, a background child included', async ({ world, pidFile }) => {
  await useProcess(world, `sleep 300 & echo $! > ${pidFile}; wait`);
  const result = await run(world, ['login', 'prod'], { AWS2FA_MFA_PROCESS_TIMEOUT: '2' });
  assert.equal([result.status, result.stdout], [1, '']);
  assert.match(result.stderr, /^aws2fa: mfa_process of profile prod gave no code within 2 s: /);
  await assertEnds(pidFile);
  assert.is(world.fake.requests.length, 0);
});

// After aws2fa, the user's shell goes on: it waits until the process named by the pid file has ended (a kill takes
// effect when the process next runs; the bound only ends a test whose process would never end), then reads the next
// line typed, which nothing of mfa_process may take.
const afterAws2fa = (argv: string, pidFile: string) => `$AWS2FA ${argv}; echo "aws2fa ended $?"
alive() { [ -e /proc/$1 ] && ! grep -q '^State:[[:space:]]*Z' /proc/$1/status; }
pid=$(cat ${pidFile}); n=0
while alive "$pid" && [ $n -lt 200 ]; do n=$((n+1)); sleep 0.05; done
if alive "$pid"; then echo "mfa_process still running"; else echo "mfa_process ended"; fi
read -r line; echo "next line: $line"`;

Group('on a terminal: a timed-out pipeline reading the terminal is ended with aws2fa\'s wait, not left to take the next line', async ({ world, pidFile }) => {
  if (!ptyAvailable()) return;
  await useProcess(world, `sh -c 'echo $$ > ${pidFile}; exec head -n1' | cat`);
  const steps = [{ waitFor: 'gave no code within 2 s' }, { waitFor: 'aws2fa ended 1' }, { waitFor: 'mfa_process ended', type: 'typed next\r' }, { waitFor: 'next line: typed next' }];
  const run = await dialogInShell(afterAws2fa('login prod', pidFile), envOf(world, { AWS2FA_MFA_PROCESS_TIMEOUT: '2' }), world.home, steps);
  assert.is(run.reached, 4, run.output);
  assert.is(run.status, 0, run.output);
});

Group('on a terminal: after the code, a background child still reading the terminal is ended', async ({ world, pidFile }) => {
  if (!ptyAvailable()) return;
  // An asynchronous command's stdin is /dev/null unless given through another descriptor.
  await useProcess(world, `exec 3<&0; head -n1 <&3 >/dev/null & echo $! > ${pidFile}; echo ${ALICE.code}`);
  const steps = [{ waitFor: 'Logged in prod' }, { waitFor: 'aws2fa ended 0' }, { waitFor: 'mfa_process ended', type: 'typed next\r' }, { waitFor: 'next line: typed next' }];
  const run = await dialogInShell(afterAws2fa('login prod', pidFile), envOf(world), world.home, steps);
  assert.is(run.reached, 4, run.output);
  assert.is(world.fake.requests[0]!.params.TokenCode, ALICE.code);
});

Group('Ctrl-C while mfa_process waits on the terminal: exit 130, and its group ends with aws2fa', async ({ world, pidFile }) => {
  if (!ptyAvailable()) return;
  await useProcess(world, `echo $$ > ${pidFile}; printf 'Touch your key\\n' >&2; read -r answer; echo ${ALICE.code}`);
  const run = await dialog(['login', 'prod'], envOf(world), world.home, [{ waitFor: 'Touch your key', type: '\u0003' }, { waitFor: 'interrupted' }]);
  assert.is(run.reached, 2, run.output);
  assert.is(run.status, 130, run.output);
  await assertEnds(pidFile);
  assert.is(world.fake.requests.length, 0);
});

// Node's default action for SIGHUP (the terminal closed) and SIGQUIT (Ctrl-\) skips exit handlers: aws2fa handles
// them as it does SIGINT, so mfa_process's group ends with it, and the status is 128+N.
for (const [signal, status] of [['SIGHUP', 129], ['SIGQUIT', 131], ['SIGTERM', 143]] as const) {
  Group(`${signal} while mfa_process runs: exit ${status}, and its group ends with aws2fa`, async ({ world, pidFile }) => {
    await useProcess(world, `sleep 300 & echo $! > ${pidFile}; wait`);
    const child = spawn(process.execPath, [BINARY, 'login', 'prod'], { env: envOf(world) as NodeJS.ProcessEnv, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    const guard = setTimeout(() => child.kill('SIGKILL'), 30_000);
    try {
      const ended = finished(child);
      await until(() => pidWritten(pidFile), 20_000);
      child.kill(signal);
      const result = await ended;
      assert.equal([result.status, result.stdout], [status, '']);
      assert.match(result.stderr, `aws2fa: interrupted (${signal}); nothing was written\n`);
    } finally {
      clearTimeout(guard);
    }
    await assertEnds(pidFile);
    assert.is(world.fake.requests.length, 0);
  });
}

Group.run();
