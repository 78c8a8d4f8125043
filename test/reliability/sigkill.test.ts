import { watch } from 'node:fs';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { applyLogin, applyLogout, keysIn, backupSectionFor, holdsSession } from '../../src/store/credentials.js';
import { findSection, joinLines, optionValue, parseIni } from '../../src/store/ini.js';
import { lockPathFor } from '../../src/store/lock.js';
import { cleanEnv } from '../helpers/cli.js';
import { ALICE } from '../helpers/home.js';
import { leftovers, seededRandom, startBinary } from '../helpers/processes.js';
import { makeWorld, STANDARD_CREDENTIALS, type World } from '../helpers/world.js';

// Issue 6, fault 2: the built binary killed with SIGKILL at random points of a login (and of a logout), 50 times.
// After each kill the credentials file is the one before or the complete one after, the long-term keys are in it,
// and the next run is not blocked by anything the killed one left.
const Kills = suite<{ world: World }>('reliability: SIGKILL at any point of a login leaves the old or the complete new file');

Kills.before.each(async (context) => {
  context.world = await makeWorld();
});
Kills.after.each(async (context) => {
  await context.world.remove();
});

const RUNS = 50;
const SEED = Number(process.env.AWS2FA_TEST_SEED ?? Date.now() % 1_000_000);

type Step = 'login from long-term' | 'login while logged in' | 'logout';

// The long-term keys are either in [prod] (no session) or in its backup: never only in a temp file, never gone.
function assertKeysRecoverable(text: string, path: string): void {
  const doc = parseIni(text, path); // throws if the file does not parse
  const own = findSection(doc, 'prod');
  const backup = keysIn(findSection(doc, backupSectionFor('prod')));
  const longTerm = holdsSession(own) ? backup : keysIn(own);
  assert.equal(longTerm, { accessKeyId: ALICE.accessKeyId, secretAccessKey: ALICE.secretAccessKey });
}

// What the run would have written, had it not been killed.
function completeAfter(step: Step, before: string, after: string, world: World): string | undefined {
  const doc = parseIni(before, world.credentials);
  if (step === 'logout') {
    const restored = applyLogout(doc, 'prod');
    return restored && joinLines(restored);
  }
  const token = optionValue(findSection(parseIni(after, world.credentials), 'prod'), 'aws_session_token');
  const session = world.fake.issued.find((issued) => issued.sessionToken === token);
  return session && joinLines(applyLogin(doc, 'prod', session, world.credentials));
}

Kills(`${RUNS} kills at random delays and inside the write window; each time the next run works (seed ${SEED})`, async ({ world }) => {
  const random = seededRandom(SEED);
  const env = cleanEnv(world.home, { AWS_ENDPOINT_URL: world.fake.url });
  const lockName = lockPathFor(world.credentials).split('/').pop();
  const outcomes = { before: 0, after: 0, lockLeft: 0, tempLeft: 0 };
  for (let run = 0; run < RUNS; run++) {
    const step: Step = (['login from long-term', 'login while logged in', 'logout'] as const)[run % 3]!;
    if (step !== 'login from long-term') assert.is((await world.aws2fa(['login', 'prod', ALICE.code])).status, 0);
    const before = await world.read(world.credentials);
    const argv = step === 'logout' ? ['logout', 'prod'] : ['login', 'prod', ALICE.code];
    // Half the kills land anywhere in the run (start-up, STS call, write); the other half just after the lock
    // appears, which is when the file is read, the temporary file written and renamed.
    const inWriteWindow = run % 2 === 1;
    const delay = inWriteWindow ? Math.floor(random() * 4) : Math.floor(random() * (step === 'logout' ? 80 : 150));
    const running = startBinary(argv, env);
    const kill = () => running.child.kill('SIGKILL');
    let watcher: ReturnType<typeof watch> | undefined;
    if (inWriteWindow) {
      watcher = watch(world.aws, (_event, name) => {
        if (name !== lockName) return;
        watcher?.close();
        if (delay === 0) kill();
        else setTimeout(kill, delay);
      });
    } else {
      setTimeout(kill, delay);
    }
    const exit = await running.exited;
    watcher?.close();
    const label = `run ${run} (${step}, ${inWriteWindow ? `${delay} ms after the lock` : `after ${delay} ms`}, ${exit.signal ?? `exit ${exit.status}`})`;
    assert.ok(exit.signal === 'SIGKILL' || exit.status === 0, `${label}: ${exit.stderr}`);

    const after = await world.read(world.credentials);
    assertKeysRecoverable(after, world.credentials);
    if (after === before) outcomes.before += 1;
    else {
      assert.is(after, completeAfter(step, before, after, world), `${label}: the file is neither the old nor the complete new one`);
      outcomes.after += 1;
    }
    const left = await leftovers(world.aws);
    if (left.some((name) => name.endsWith('.lock'))) outcomes.lockLeft += 1;
    if (left.some((name) => name.endsWith('.tmp'))) outcomes.tempLeft += 1;

    // The next runs take over what the killed one left (a stale lock, a temporary file) and work normally.
    const login = await world.aws2fa(['login', 'prod', ALICE.code]);
    assert.is(login.status, 0, `${label}: next login: ${login.stderr}`);
    assert.is((await world.aws2fa(['logout', 'prod'])).status, 0);
    assert.is(await world.read(world.credentials), STANDARD_CREDENTIALS, `${label}: login and logout give the original file back`);
    assert.equal(await leftovers(world.aws), [], `${label}: nothing left beside the file`);
  }
  // Not an assertion on timing, a check that the loop exercised what it claims: both outcomes happened.
  process.stdout.write(
    `\n  ${RUNS} kills: ${outcomes.before} left the old file, ${outcomes.after} the new one; ${outcomes.lockLeft} left a lock, ${outcomes.tempLeft} a temporary file\n`,
  );
  assert.ok(outcomes.before > 0 && outcomes.after > 0, JSON.stringify(outcomes));
});

Kills.run();
