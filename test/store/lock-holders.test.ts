import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { readFileSync, readlinkSync } from 'node:fs';
import { chmod, chown, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { lockPathFor } from '../../src/store/lock.js';
import { cleanEnv } from '../helpers/cli.js';
import { ALICE } from '../helpers/home.js';
import { leftovers, runBinaryGuarded, startBinary, until } from '../helpers/processes.js';
import { findTool } from '../helpers/tools.js';
import { makeWorld, STANDARD_CREDENTIALS, type World } from '../helpers/world.js';

// Issue 11, item 5: the lock judges its holder by what identifies a process (pid, start time, boot, PID namespace),
// waits for a live one, and two runs never both write, even with a breaker stalled in the middle. Real processes;
// the interleavings are forced with the pause points of src/store/pause-points.ts, never with a sleep.
const Holders = suite<{ world: World; events: string }>('store/lock: judged by who holds it; a stalled breaker cannot let two runs write');

Holders.before.each(async (context) => {
  context.world = await makeWorld();
  context.events = await mkdtemp(join(tmpdir(), 'aws2fa-events-'));
});
Holders.after.each(async (context) => {
  await context.world.remove();
  await rm(context.events, { recursive: true, force: true });
});

const BOOT = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
const NAMESPACE = readlinkSync('/proc/self/ns/pid');
const startOf = (pid: number) => { const stat = readFileSync(`/proc/${pid}/stat`, 'utf8'); return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]!; };
const deadPid = () => spawnSync('true').pid;

function env(world: World, events: string, extra: Record<string, string> = {}): Record<string, string | undefined> {
  return cleanEnv(world.home, { AWS_ENDPOINT_URL: world.fake.url, AWS2FA_TEST_EVENTS: events, ...extra });
}

const reached = async (events: string, point: string, pid?: number) =>
  (await readdir(events)).some((name) => (pid === undefined ? name.startsWith(`${point}.`) : name === `${point}.${pid}`));
const release = (events: string, point: string, pid: number) => writeFile(join(events, `${point}.${pid}.go`), '');

Holders('a record whose pid now belongs to an unrelated live process (start time differs) is taken over at once', async ({ world, events }) => {
  const unrelated = spawn('sleep', ['60'], { stdio: 'ignore' });
  try {
    await writeFile(lockPathFor(world.credentials), `${unrelated.pid} start=1 boot=${BOOT} ns=${NAMESPACE} nonce=0011\n`);
    const login = await runBinaryGuarded(['login', 'prod', ALICE.code], env(world, events));
    assert.is(login.status, 0, login.stderr);
    assert.not.ok(await reached(events, 'lock-waiting'), 'never waited for it');
    assert.equal(await leftovers(world.aws), []);
  } finally {
    unrelated.kill();
  }
});

Holders('a live holder in another PID namespace, or on another boot, is waited for, then the run goes on', async ({ world, events }) => {
  for (const where of [`boot=${BOOT} ns=pid:[1]`, `boot=00000000-0000-0000-0000-000000000000 ns=${NAMESPACE}`]) {
    // Its pid means nothing here: dead in this namespace, which an older aws2fa took for a stale lock.
    await writeFile(lockPathFor(world.credentials), `${deadPid()} start=12345 ${where} nonce=0022\n`);
    const before = await world.read(world.credentials);
    const run = startBinary(['logout', 'prod'], env(world, events));
    await until(() => reached(events, 'lock-waiting', run.child.pid));
    assert.is(await world.read(world.credentials), before, `${where}: nothing written while it holds the lock`);
    assert.match(await readFile(lockPathFor(world.credentials), 'utf8'), /nonce=0022/, 'its lock is still there');
    await rm(lockPathFor(world.credentials)); // the holder is done
    const logout = await run.exited;
    assert.is(logout.status, 0, logout.stderr);
  }
});

Holders('a breaker stalled between its judgement and the break never removes the lock a later run took: one writer at a time', async ({ world, events }) => {
  await writeFile(lockPathFor(world.credentials), `${deadPid()} start=1 boot=${BOOT} ns=${NAMESPACE} nonce=0033\n`);
  const stalled = startBinary(['login', 'prod', ALICE.code], env(world, events, { AWS2FA_TEST_PAUSE_AT: 'lock-breaking' }));
  await until(() => reached(events, 'lock-breaking', stalled.child.pid));
  const later = startBinary(['login', 'prod', ALICE.code], env(world, events, { AWS2FA_TEST_PAUSE_AT: 'lock-taken' }));
  await until(() => reached(events, 'lock-taken', later.child.pid));
  const laterLock = await readFile(lockPathFor(world.credentials), 'utf8');
  assert.match(laterLock, new RegExp(`^${later.child.pid} `), 'the later run broke the stale lock and holds its own');
  await release(events, 'lock-breaking', stalled.child.pid!);
  await until(() => reached(events, 'lock-waiting', stalled.child.pid));
  assert.is(await readFile(lockPathFor(world.credentials), 'utf8'), laterLock, 'the stalled breaker left the live lock in place');
  assert.is(await world.read(world.credentials), STANDARD_CREDENTIALS, 'nobody has written yet');
  await release(events, 'lock-taken', later.child.pid!);
  const [first, second] = await Promise.all([later.exited, stalled.exited]);
  assert.is(first.status, 0, first.stderr);
  assert.is(second.status, 0, second.stderr);
  const text = await world.read(world.credentials);
  assert.is(text.split('[prod::source-profile]').length, 2, 'one backup');
  assert.ok(text.includes(`aws_session_token = ${world.fake.issued.at(-1)!.sessionToken}`) || text.includes(`aws_session_token = ${world.fake.issued.at(-2)!.sessionToken}`));
  assert.equal(await leftovers(world.aws), []);
  assert.is((await world.aws2fa(['logout', 'prod'])).status, 0);
  assert.is(await world.read(world.credentials), STANDARD_CREDENTIALS, 'the long-term keys came back');
});

// Two users: the attacker shares the group of a group-writable ~/.aws and plants symlinks named like the lock
// drafts of the next pids, pointing at a file of the victim's.
Holders('symlinks planted by another user where lock drafts go are never followed: the victim file stays', async ({ world }) => {
  const isRoot = process.getuid?.() === 0;
  const setpriv = isRoot ? findTool('setpriv') : null;
  if (!isRoot || !setpriv) {
    if (process.env.CI === 'true') throw new Error('two-user test needs root and setpriv on CI');
    process.stderr.write('\n!!!!! SKIPPED: not root (or no setpriv): cannot run an attacker as another user !!!!!\n\n');
    return;
  }
  const victim = join(world.home, 'id_ed25519');
  await writeFile(victim, 'PRIVATE KEY\n', { mode: 0o600 });
  await chmod(world.home, 0o755);
  await chown(world.aws, 0, 1000);
  await chmod(world.aws, 0o770);
  const next = deadPid()!;
  const plant = `for (let pid = ${next}; pid < ${next + 4000}; pid++) require('fs').symlinkSync(${JSON.stringify(victim)}, ${JSON.stringify(join(world.aws, '.credentials.aws2fa.lock.'))} + pid)`;
  execFileSync(setpriv, ['--reuid=1000', '--regid=1000', '--clear-groups', process.execPath, '-e', plant]);
  const login = await runBinaryGuarded(['login', 'prod', ALICE.code], cleanEnv(world.home, { AWS_ENDPOINT_URL: world.fake.url }));
  assert.is(login.status, 0, login.stderr);
  assert.is(await readFile(victim, 'utf8'), 'PRIVATE KEY\n', 'the file behind the planted links is untouched');
  assert.is((await world.aws2fa(['logout', 'prod'])).status, 0);
  assert.is(await world.read(world.credentials), STANDARD_CREDENTIALS);
});

Holders.run();
