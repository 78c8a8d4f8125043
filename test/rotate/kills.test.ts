import { mkdtemp, readdir, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { shortKey } from '../../src/aws/failures.js';
import { journalPathFor } from '../../src/keys/journal.js';
import { cleanEnv } from '../helpers/cli.js';
import { ALICE } from '../helpers/home.js';
import { runBinaryGuarded, startBinary } from '../helpers/processes.js';
import { findTool } from '../helpers/tools.js';
import { makeWorld, type World } from '../helpers/world.js';
import { filesKey, keyWorks, reached, ROTATED } from './helpers.js';

// `rotate` killed with SIGKILL at each of its steps (held there by a pause point, killed once it is seen there):
// each time the files hold a key that works, `status` says what is left without a network call, and the next
// `rotate` finishes the job without a third key.
const Kills = suite<{ world: World; events: string }>('rotate/kills: never without a working key');

Kills.before.each(async (context) => {
  context.world = await makeWorld();
  context.events = await mkdtemp(join(tmpdir(), 'aws2fa-rotate-events-'));
});
Kills.after.each(async (context) => {
  await context.world.remove();
  await rm(context.events, { recursive: true, force: true });
});

async function killedAt(world: World, events: string, point: string, whileCreating = false) {
  const env = cleanEnv(world.home, { AWS_ENDPOINT_URL: world.fake.url, AWS2FA_TEST_EVENTS: events, AWS2FA_TEST_PAUSE_AT: point });
  const event = reached(events, point);
  const running = startBinary(['rotate', 'prod', ALICE.code], env);
  try {
    const file = await event.seen;
    if (whileCreating) {
      // Held at the step before CreateAccessKey: IAM's answer is held back, the run let go, and killed once the
      // request is in. IAM makes the key all the same, and answers a dead process.
      const held = world.fake.holdAnswers({ service: 'iam' });
      const sent = world.fake.nextRequest({ service: 'iam' });
      await writeFile(`${file}.go`, '');
      const request = await sent;
      assert.is(request.action, 'CreateAccessKey');
      running.child.kill('SIGKILL');
      await running.exited;
      held.release();
      await waitFor(() => world.fake.iam.created.length === 1);
    } else {
      running.child.kill('SIGKILL');
    }
  } finally {
    event.close();
  }
  const exit = await running.exited;
  assert.is(exit.signal, 'SIGKILL', exit.stderr);
}

// IAM's work after the dead process's request: a turn of this process's event loop, not a time.
async function waitFor(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setImmediate(resolve));
}

async function assertWorkingKey(world: World, label: string): Promise<string> {
  const key = filesKey(await world.read(world.credentials));
  assert.ok(await keyWorks(world.fake, key), `${label}: the key in the files works`);
  assert.is(await world.mode(world.credentials), 0o600);
  return key.accessKeyId;
}

const creates = (world: World) => world.fake.requests.filter((request) => request.action === 'CreateAccessKey').length;

type Expect = { held: 'old' | 'new'; status: RegExp; finish: 'finished' | 'orphan' | 'again' };
const CASES: Array<[string, Expect, boolean?]> = [
  ['rotate-before-create', { held: 'old', status: /was interrupted around CreateAccessKey: run aws2fa rotate prod to check with IAM/, finish: 'again' }],
  ['rotate-before-create', { held: 'old', status: /was interrupted around CreateAccessKey/, finish: 'orphan' }, true],
  ['rotate-after-create', { held: 'old', status: /was interrupted around CreateAccessKey/, finish: 'orphan' }],
  ['rotate-after-write', { held: 'new', status: /did not finish: the old key AKIA…MPLE may still be active; run aws2fa rotate prod to delete it/, finish: 'finished' }],
  ['rotate-before-delete', { held: 'new', status: /did not finish: the old key AKIA…MPLE may still be active/, finish: 'finished' }],
  ['rotate-after-delete', { held: 'new', status: /did not finish: the old key AKIA…MPLE may still be active/, finish: 'finished' }],
];

const aws = findTool('aws (AWS CLI v2)', ['/usr/bin/aws']);

for (const [point, expect, whileCreating] of CASES) {
  const where = whileCreating ? 'while CreateAccessKey answered' : `at ${point}`;
  Kills(`kill -9 ${where}: a working key in the files, status says what is left, the next rotate finishes without a third key`, async ({ world, events }) => {
    await killedAt(world, events, point, whileCreating);
    const held = await assertWorkingKey(world, where);
    assert.is(held === ALICE.accessKeyId, expect.held === 'old', `${where}: the files hold the ${expect.held} key`);

    const status = await world.aws2fa(['status']);
    assert.is(status.status, 0);
    assert.match(status.stdout, expect.status);
    const sent = world.fake.requests.length;
    assert.is((await world.aws2fa(['status', 'prod', '--json'])).status, 0);
    assert.is(world.fake.requests.length, sent, 'status makes no request');

    const createdBefore = creates(world);
    const next = await world.aws2fa(['rotate', 'prod', ALICE.code]);
    if (expect.finish === 'orphan') {
      // The key made by the killed run never reached the files: named, with the command that deletes it; no third.
      const orphan = world.fake.iam.created[0]!.accessKeyId;
      assert.is(next.status, 1);
      const command = `aws2fa exec prod -- aws iam delete-access-key --user-name alice --access-key-id ${orphan}`;
      assert.match(next.stderr, `alice's key ${orphan} (Active, created `);
      assert.match(next.stderr, `was made by an interrupted aws2fa rotate, and its secret never reached ${world.credentials}: it cannot be used; nothing was created: delete it with ${command} and run aws2fa rotate prod again`);
      assert.is(creates(world), createdBefore);
      assert.match((await world.aws2fa(['status'])).stdout, /was interrupted around CreateAccessKey/);
      await deleteAsTold(world, orphan);
      const again = await world.aws2fa(['rotate', 'prod', ALICE.code]);
      assert.is(again.status, 0, again.stderr);
      assert.match(again.stdout, ROTATED);
    } else if (expect.finish === 'finished') {
      assert.is(next.status, 0, next.stderr);
      assert.is(next.stdout, `finished the interrupted rotation: rotated alice's key ${shortKey(ALICE.accessKeyId)} → ${shortKey(held)}; the old key is deleted\n`);
      assert.is(creates(world), createdBefore, 'finishing creates no key');
    } else {
      assert.is(next.status, 0, next.stderr);
      assert.match(next.stdout, ROTATED);
    }
    const final = await assertWorkingKey(world, `${where}, then rotate`);
    assert.equal(world.fake.iam.keysOf().map((key) => key.accessKeyId), [final], 'one key left: the one in the files');
    assert.is.not(final, ALICE.accessKeyId);
    assert.not.ok(await keyWorks(world.fake, ALICE));
    assert.not.match((await world.aws2fa(['status'])).stdout, /rotat/);
    assert.equal((await readdir(world.aws)).filter((name) => name.includes('aws2fa')), []);
  });
}

// The command rotate names, as a user runs it: through aws2fa exec (the MFA session) with the real AWS CLI v2.
async function deleteAsTold(world: World, keyId: string): Promise<void> {
  if (!aws) {
    world.fake.iam.removeKey(keyId);
    return;
  }
  const env = cleanEnv(world.home, { AWS_ENDPOINT_URL: world.fake.url });
  const run = await startBinary(['exec', 'prod', ALICE.code, '--', aws, 'iam', 'delete-access-key', '--user-name', 'alice', '--access-key-id', keyId, '--endpoint-url', world.fake.url], env).exited;
  assert.is(run.status, 0, run.stderr);
  assert.ok(world.fake.iam.deleted.includes(keyId));
}

async function twoAtOnce(world: World, events: string, withoutProc: boolean) {
  const env = cleanEnv(world.home, { AWS_ENDPOINT_URL: world.fake.url, AWS2FA_TEST_EVENTS: events, AWS2FA_TEST_PAUSE_AT: 'rotate-after-write', ...(withoutProc ? { AWS2FA_TEST_NO_PROC: '1' } : {}) });
  const event = reached(events, 'rotate-after-write');
  const first = startBinary(['rotate', 'prod', ALICE.code], env);
  const file = await event.seen;
  event.close();
  if (withoutProc) {
    // Without /proc the writer is known by its start in epoch seconds, judged with ps: its record's age is no matter.
    const journal = journalPathFor(world.credentials, 'prod');
    assert.match(await readFile(journal, 'utf8'), /^\d+ start=- since=\d+ /);
    const longAgo = new Date(Date.now() - 3 * 86_400_000);
    await utimes(journal, longAgo, longAgo);
  }
  const sent = world.fake.requests.length;
  // Without /proc: the built binary, where AWS2FA_TEST_NO_PROC takes effect (the in-process runs share one me()).
  const run = (argv: string[]) => (withoutProc ? runBinaryGuarded(argv, cleanEnv(world.home, { AWS_ENDPOINT_URL: world.fake.url, AWS2FA_TEST_NO_PROC: '1' })) : world.aws2fa(argv));
  const second = await run(['rotate', 'prod', ALICE.code]);
  assert.is(second.status, 1, second.stderr);
  assert.is(world.fake.requests.length, sent, 'refused before the code is spent');
  assert.match(second.stderr, /^aws2fa: another aws2fa rotate \(pid \d+\) is rotating the key of prod now: wait for it to finish\n$/);
  assert.match((await run(['status'])).stdout, /aws2fa rotate \(pid \d+\) is rotating the key of prod now/);
  await writeFile(`${file}.go`, '');
  const done = await first.exited;
  assert.is(done.status, 0, done.stderr);
  assert.is(creates(world), 1);
}

Kills('two runs at once: the second finds the first at work and changes nothing', ({ world, events }) => twoAtOnce(world, events, false));

Kills("two runs at once without /proc, the first's record days old: the second still finds it at work", ({ world, events }) => twoAtOnce(world, events, true));

// SIGINT (a Ctrl-C) held just after CreateAccessKey answered: the signal waits until the run goes on, and the one line
// says what is left, rather than "nothing was written" alone; the next rotate finishes without a third key.
Kills('Ctrl-C right after CreateAccessKey: the line names the rotation under way and the command that finishes it', async ({ world, events }) => {
  const env = cleanEnv(world.home, { AWS_ENDPOINT_URL: world.fake.url, AWS2FA_TEST_EVENTS: events, AWS2FA_TEST_PAUSE_AT: 'rotate-after-create' });
  const event = reached(events, 'rotate-after-create');
  const running = startBinary(['rotate', 'prod', ALICE.code], env);
  try {
    const file = await event.seen;
    running.child.kill('SIGINT');
    await writeFile(`${file}.go`, '');
  } finally {
    event.close();
  }
  const exit = await running.exited;
  assert.is(exit.status, 130, exit.stderr);
  assert.match(exit.stderr, /^aws2fa: interrupted \(SIGINT\)[^\n]*; the rotation of prod's key was under way \(IAM may have made a new key\): run aws2fa rotate prod to finish it\n$/);
  await assertWorkingKey(world, 'after Ctrl-C');
  const createdBefore = creates(world);
  // The signal is handled once the run waits on the network again, after its synchronous write of the new key.
  assert.match(exit.stderr, `after writing ${world.credentials}`);
  const next = await world.aws2fa(['rotate', 'prod', ALICE.code]);
  assert.is(next.status, 0, next.stderr);
  assert.match(next.stdout, /^finished the interrupted rotation: rotated alice's key AKIA…MPLE → AKIA…\w{4}; the old key is deleted\n$/);
  assert.is(creates(world), createdBefore, 'finishing creates no key');
  const final = await assertWorkingKey(world, 'after Ctrl-C, then rotate');
  assert.equal(world.fake.iam.keysOf().map((key) => key.accessKeyId), [final], 'one key left: the one in the files');
});

Kills.run();
