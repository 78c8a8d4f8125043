import { spawnSync } from 'node:child_process';
import { readdir, readFile, rm, writeFile, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { lockPathFor } from '../../src/store/lock.js';
import { cleanEnv } from '../helpers/cli.js';
import { ALICE } from '../helpers/home.js';
import { leftovers, startBinary, until, type Running } from '../helpers/processes.js';
import { makeWorld, STANDARD_CREDENTIALS, type World } from '../helpers/world.js';

// Issue 17: breakers of a stale lock stalled at exact moments must never let two runs hold the lock, or both
// rename their file into place. Real processes, each interleaving forced with the pause points of
// src/store/pause-points.ts (a run waits at a point until the test lets it go), never with a sleep.
const Breakers = suite<{ world: World; events: string; runs: Running[] }>('store/lock: stalled breakers never let two writers both rename');

Breakers.before.each(async (context) => {
  context.world = await makeWorld();
  context.events = await mkdtemp(join(tmpdir(), 'aws2fa-events-'));
  context.runs = [];
});
Breakers.after.each(async (context) => {
  for (const run of context.runs) run.child.kill('SIGKILL');
  await Promise.all(context.runs.map((run) => run.exited));
  await context.world.remove();
  await rm(context.events, { recursive: true, force: true });
});

const POINTS = ['lock-waiting', 'lock-breaking', 'lock-claimed', 'lock-aside', 'lock-taken', 'before-rename', 'lock-checked'];

function start(context: { world: World; events: string; runs: Running[] }, pauseAt: string[]): Running {
  const env = cleanEnv(context.world.home, { AWS_ENDPOINT_URL: context.world.fake.url, AWS2FA_TEST_EVENTS: context.events, AWS2FA_TEST_PAUSE_AT: pauseAt.join(',') });
  const run = startBinary(['login', 'prod', ALICE.code], env, { guardMs: 120_000 });
  context.runs.push(run);
  return run;
}

const reached = async (events: string, point: string, run: Running) => (await readdir(events)).includes(`${point}.${run.child.pid}`);
// The first of these points the run reaches.
async function firstOf(events: string, run: Running, points: string[]): Promise<string> {
  let found: string | undefined;
  await until(async () => {
    for (const point of points) if (await reached(events, point, run)) found = point;
    return found !== undefined;
  }, 60_000);
  return found!;
}
const release = (events: string, point: string, run: Running) => writeFile(join(events, `${point}.${run.child.pid}.go`), '');
// Lets a run go on through every point from now on.
const releaseAll = (events: string, run: Running) => Promise.all(POINTS.map((point) => release(events, point, run)));

// A run killed while it holds the lock: the stale lock every later run finds, as aws2fa itself leaves it.
async function staleLock(context: { world: World; events: string; runs: Running[] }): Promise<void> {
  const killed = start(context, ['lock-taken']);
  await firstOf(context.events, killed, ['lock-taken']);
  killed.child.kill('SIGKILL');
  await killed.exited;
}

async function allSucceed(events: string, runs: Running[]): Promise<void> {
  for (const run of runs) await releaseAll(events, run);
  for (const run of runs) {
    const exit = await run.exited;
    assert.is(exit.status, 0, exit.stderr);
  }
}

async function endsConsistent(world: World): Promise<void> {
  const text = await world.read(world.credentials);
  assert.is(text.split('[prod::source-profile]').length, 2, 'one backup');
  assert.equal((await leftovers(world.aws)).filter((name) => !name.endsWith('.go')), [], 'no lock, claim or temporary file left');
  const logout = await world.aws2fa(['logout', 'prod']);
  assert.is(logout.status, 0, logout.stderr);
  assert.is(await world.read(world.credentials), STANDARD_CREDENTIALS, 'the long-term keys came back');
}

// A lock an older aws2fa left (no claim in its record, one name): broken by moving it aside, as before.
async function olderStaleLock(context: { world: World }): Promise<void> {
  await writeFile(lockPathFor(context.world.credentials), `${spawnSync('true').pid}\n`, { mode: 0o600 });
}

for (const [made, stale] of [['by a killed run', staleLock], ['by an older aws2fa (no claim)', olderStaleLock]] as const) {
Breakers(`a breaker stalled before its break, a writer between its lock check and its rename, a third run: one holder at a time (stale lock ${made})`, async (context) => {
  const { world, events } = context;
  await stale(context);
  const breaker = start(context, ['lock-breaking', 'lock-claimed', 'lock-aside']);
  await firstOf(events, breaker, ['lock-breaking']);
  const writer = start(context, ['lock-checked']);
  await firstOf(events, writer, ['lock-checked']); // broke the stale lock too, took it, and is about to rename
  await release(events, 'lock-breaking', breaker);
  const breakerAt = await firstOf(events, breaker, ['lock-claimed', 'lock-aside', 'lock-waiting']);
  const third = start(context, ['lock-taken']);
  const thirdAt = await firstOf(events, third, ['lock-taken', 'lock-waiting']);
  assert.is(thirdAt, 'lock-waiting', `a third run took the lock while the writer still held it (the breaker was at ${breakerAt})`);
  assert.is(breakerAt, 'lock-waiting', 'the late breaker found a live lock and waits');
  assert.is(await world.read(world.credentials), STANDARD_CREDENTIALS, 'nobody renamed while the writer holds the lock');
  await release(events, 'lock-checked', writer);
  assert.is((await writer.exited).status, 0);
  await allSucceed(events, [breaker, third]);
  await endsConsistent(world);
});
}

Breakers('two breakers of the same stale lock: while one has claimed it, the other waits; then they take turns', async (context) => {
  const { world, events } = context;
  await staleLock(context);
  const stale = await readFile(lockPathFor(world.credentials), 'utf8');
  const first = start(context, ['lock-breaking', 'lock-claimed', 'lock-aside', 'lock-taken']);
  const second = start(context, ['lock-breaking', 'lock-claimed', 'lock-aside', 'lock-taken']);
  await firstOf(events, first, ['lock-breaking']);
  await firstOf(events, second, ['lock-breaking']);
  await release(events, 'lock-breaking', first);
  assert.is(await firstOf(events, first, ['lock-claimed', 'lock-aside']), 'lock-claimed', 'the first claimed the dead holder\'s lock');
  await release(events, 'lock-breaking', second);
  assert.is(await firstOf(events, second, ['lock-claimed', 'lock-aside', 'lock-taken', 'lock-waiting']), 'lock-waiting', 'the second waits');
  assert.is(await readFile(lockPathFor(world.credentials), 'utf8'), stale, 'the stale lock is in place until the claim ends');
  await release(events, 'lock-claimed', first);
  assert.is(await firstOf(events, first, ['lock-taken']), 'lock-taken');
  assert.not.ok(await reached(events, 'lock-taken', second), 'the second does not hold it too');
  await allSucceed(events, [first, second]);
  await endsConsistent(world);
});

Breakers.run();
