import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { lockPathFor } from '../../src/store/lock.js';
import { startedAt } from '../../src/store/process-facts.js';
import { cleanEnv } from '../helpers/cli.js';
import { ALICE } from '../helpers/home.js';
import { leftovers, runBinaryGuarded, startBinary, until } from '../helpers/processes.js';
import { makeWorld, STANDARD_CREDENTIALS, type World } from '../helpers/world.js';

// Without /proc (macOS), a lock's holder is known by its start time in epoch seconds (`since=`, from `ps` for
// another pid): a live holder is waited for however old its lock, a reused pid or a dead one is not. Run here with
// AWS2FA_TEST_NO_PROC=1, the path taken where there is no /proc. Real processes, pause points, no sleeps.
const Portable = suite<{ world: World; events: string }>('store/lock without /proc: a live holder is waited for, however old its lock');

Portable.before.each(async (context) => {
  context.world = await makeWorld();
  context.events = await mkdtemp(join(tmpdir(), 'aws2fa-events-'));
});
Portable.after.each(async (context) => {
  await context.world.remove();
  await rm(context.events, { recursive: true, force: true });
});

const deadPid = () => spawnSync('true').pid;
const nowSeconds = () => Math.floor(Date.now() / 1000);

function env(world: World, events: string, extra: Record<string, string> = {}): Record<string, string | undefined> {
  return cleanEnv(world.home, { AWS_ENDPOINT_URL: world.fake.url, AWS2FA_TEST_EVENTS: events, AWS2FA_TEST_NO_PROC: '1', ...extra });
}

const reached = async (events: string, point: string, pid?: number) =>
  (await readdir(events)).some((name) => (pid === undefined ? name.startsWith(`${point}.`) : name === `${point}.${pid}`));
const release = (events: string, point: string, pid: number) => writeFile(join(events, `${point}.${pid}.go`), '');

Portable('a live holder whose lock is old (mtime days ago) is waited for, and the waiting run goes on once it lets go', async ({ world, events }) => {
  const holder = startBinary(['login', 'prod', ALICE.code], env(world, events, { AWS2FA_TEST_PAUSE_AT: 'lock-taken' }));
  await until(() => reached(events, 'lock-taken', holder.child.pid));
  const lock = lockPathFor(world.credentials);
  const record = await readFile(lock, 'utf8');
  assert.match(record, new RegExp(`^${holder.child.pid} start=- .*\\bsince=\\d+ `), 'the holder is known by its start in epoch seconds, not by /proc');
  const longAgo = new Date(Date.now() - 3 * 86_400_000);
  await utimes(lock, longAgo, longAgo); // far past the age after which a holder that cannot be judged is given up on
  const waiting = startBinary(['login', 'prod', ALICE.code], env(world, events));
  for (let judged = 0; judged < 2; judged++) {
    await until(() => reached(events, 'lock-waiting', waiting.child.pid));
    await rm(join(events, `lock-waiting.${waiting.child.pid}`)); // seen: the next one is a later judgement
  }
  assert.is(await readFile(lock, 'utf8'), record, 'the live holder still holds its lock');
  assert.is(await world.read(world.credentials), STANDARD_CREDENTIALS, 'nobody has written yet');
  assert.ok(await reached(events, 'lock-taken', holder.child.pid) && !(await reached(events, 'lock-taken', waiting.child.pid)), 'only the holder has the lock');
  await release(events, 'lock-taken', holder.child.pid!);
  const [first, second] = await Promise.all([holder.exited, waiting.exited]);
  assert.is(first.status, 0, first.stderr);
  assert.is(second.status, 0, second.stderr);
  assert.ok(await reached(events, 'lock-taken', waiting.child.pid), 'the waiting run took the lock after the holder');
  const text = await world.read(world.credentials);
  assert.is(text.split('[prod::source-profile]').length, 2, 'one backup');
  assert.ok(text.includes(`aws_session_token = ${world.fake.issued.at(-1)!.sessionToken}`), 'the later session is in place');
  assert.equal(await leftovers(world.aws), []);
});

Portable('a record naming a live pid whose start does not match (the pid was reused) is taken over at once', async ({ world, events }) => {
  const unrelated = spawn('sleep', ['60'], { stdio: 'ignore' });
  try {
    // The process that wrote it started an hour before the one that has its pid now.
    await writeFile(lockPathFor(world.credentials), `${unrelated.pid} start=- boot=- ns=- since=${nowSeconds() - 3600} nonce=0044\n`);
    const login = await runBinaryGuarded(['login', 'prod', ALICE.code], env(world, events));
    assert.is(login.status, 0, login.stderr);
    assert.not.ok(await reached(events, 'lock-waiting'), 'never waited for it');
    assert.ok(await reached(events, 'lock-breaking'), 'it broke the lock');
    assert.equal(await leftovers(world.aws), []);
  } finally {
    unrelated.kill();
  }
});

Portable('a record whose pid is dead is taken over at once, however fresh', async ({ world, events }) => {
  await writeFile(lockPathFor(world.credentials), `${deadPid()} start=- boot=- ns=- since=${nowSeconds()} nonce=0055\n`);
  const login = await runBinaryGuarded(['login', 'prod', ALICE.code], env(world, events));
  assert.is(login.status, 0, login.stderr);
  assert.not.ok(await reached(events, 'lock-waiting'), 'never waited for it');
  assert.ok(await reached(events, 'lock-breaking'), 'it broke the lock');
  assert.equal(await leftovers(world.aws), []);
});

// The start ps gives, read against another clock: /proc's (boot time plus the start in clock ticks).
Portable('ps names the start of a live process to within 2 s, tells an hour off apart, and says nothing of a dead pid', () => {
  const unrelated = spawn('sleep', ['60'], { stdio: 'ignore' });
  try {
    const boot = Number(/^btime (\d+)$/m.exec(readFileSync('/proc/stat', 'utf8'))![1]);
    const stat = readFileSync(`/proc/${unrelated.pid}/stat`, 'utf8');
    const ticks = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]);
    const since = Math.floor(boot + ticks / Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' })));
    assert.is(startedAt(unrelated.pid!, since), true);
    assert.is(startedAt(unrelated.pid!, since - 3600), false, 'an hour earlier: another process');
    assert.is(startedAt(unrelated.pid!, since + 5), false);
    assert.is(startedAt(deadPid()!, since), undefined, 'no process: nothing to compare');
  } finally {
    unrelated.kill();
  }
});

Portable.run();
