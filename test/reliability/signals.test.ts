import { watch } from 'node:fs';
import { readFile, unlink, writeFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { lockPathFor } from '../../src/store/lock.js';
import { cleanEnv } from '../helpers/cli.js';
import { ALICE } from '../helpers/home.js';
import { leftovers, startBinary } from '../helpers/processes.js';
import { ptyAvailable, runOnPty, type PtyAction } from '../helpers/pty.js';
import { makeWorld, type World } from '../helpers/world.js';

// Issue 6, fault 5: Ctrl-C, SIGINT and SIGTERM while aws2fa waits for the code or for the network end the real
// process with 130 / 143, write nothing, and leave the terminal echoing again.
const Signals = suite<{ world: World }>('reliability: interrupted at the code prompt or on the network: 130/143, nothing written, echo back');

Signals.before.each(async (context) => {
  context.world = await makeWorld();
});
Signals.after.each(async (context) => {
  await context.world.remove();
});

const STATUS = { SIGINT: 130, SIGTERM: 143 } as const;

async function assertNothingWritten(world: World, before: Record<string, string | null>): Promise<void> {
  assert.equal(await world.snapshot(), before, 'both files byte-identical');
  assert.equal(await leftovers(world.aws), [], 'no lock or temporary file left');
}

const PROMPT_CASES: Array<[string, PtyAction, number, string]> = [
  ['Ctrl-C typed at the prompt', { type: '\u0003' }, 130, 'SIGINT'],
  ['SIGINT sent to the process', { signal: 'SIGINT' }, 130, 'SIGINT'],
  ['SIGTERM sent to the process', { signal: 'SIGTERM' }, 143, 'SIGTERM'],
];

for (const [what, action, status, name] of PROMPT_CASES) {
  Signals(`at the code prompt on a real terminal, ${what}: exit ${status}, nothing written, echo and line mode back`, async ({ world }) => {
    if (!ptyAvailable()) return;
    const before = await world.snapshot();
    for (const argv of [['login', 'prod'], ['env', 'login', 'prod', '--shell', 'bash']]) {
      // env login's stdout is a pipe, as under eval or the hook: on the terminal it would refuse before asking.
      const run = await runOnPty(argv, cleanEnv(world.home, { AWS_ENDPOINT_URL: world.fake.url }), world.home, 'MFA code for prod: ', action, { stdoutPipe: argv[0] === 'env' });
      assert.ok(run.sawPrompt, `${argv.join(' ')}: no prompt in ${JSON.stringify(run.output)}`);
      assert.not.ok(run.echoWhileWaiting, 'the prompt reads the code in raw mode (echo off)');
      assert.not.ok(run.hung, 'ended by itself');
      assert.is(run.status, status, run.output);
      assert.match(run.output, new RegExp(`aws2fa: interrupted \\(${name}\\); nothing was written`));
      assert.not.match(run.output, /export /, 'no shell code printed');
      assert.ok(run.echoAfter, 'echo is back on');
      assert.ok(run.canonicalAfter, 'line mode is back on');
    }
    assert.is(world.fake.requests.length, 0, 'no STS call');
    await assertNothingWritten(world, before);
  });
}

Signals('the code typed on a real terminal: asked on the terminal (stderr), never on stdout, which holds only shell code', async ({ world }) => {
  if (!ptyAvailable()) return;
  const env = cleanEnv(world.home, { AWS_ENDPOINT_URL: world.fake.url });
  const run = await runOnPty(['env', 'login', 'prod', '--shell', 'bash'], env, world.home, 'MFA code for prod: ', { type: `${ALICE.code}\r` }, { stdoutPipe: true });
  assert.ok(run.sawPrompt, run.output);
  assert.is(run.status, 0, run.output);
  assert.not.ok(run.stdout!.includes('MFA code'), 'no prompt on stdout');
  assert.ok(run.stdout!.split('\n').every((line) => line === '' || /^(export|unset|if) [A-Z0-9_[]/.test(line)), run.stdout!);
  assert.match(run.stdout!, new RegExp(`^export AWS_ACCESS_KEY_ID='${world.fake.issued[0]!.accessKeyId}'$`, 'm'));
  assert.is(world.fake.requests[0]!.params.TokenCode, ALICE.code);
});

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  Signals(`${signal} while STS has not answered: exit ${STATUS[signal]}, one line, empty stdout, nothing written`, async ({ world }) => {
    world.fake.injectFault('hang', { service: 'sts' });
    const before = await world.snapshot();
    for (const argv of [['login', 'prod', ALICE.code], ['env', 'login', 'prod', ALICE.code, '--shell', 'bash']]) {
      const asked = world.fake.nextRequest({ service: 'sts' });
      const running = startBinary(argv, cleanEnv(world.home, { AWS_ENDPOINT_URL: world.fake.url }));
      await asked;
      running.child.kill(signal);
      const exit = await running.exited;
      assert.not.ok(exit.guardKilled);
      assert.equal([exit.status, exit.stdout, exit.stderr], [STATUS[signal], '', `aws2fa: interrupted (${signal}); nothing was written\n`]);
    }
    await assertNothingWritten(world, before);
  });
}

Signals('SIGINT while STS has not answered, on a real terminal: exit 130, echo still on', async ({ world }) => {
  if (!ptyAvailable()) return;
  world.fake.injectFault('hang', { service: 'sts' });
  const before = await world.snapshot();
  // Nothing is printed before the call: the driver signals once the endpoint has the request, when the process
  // has long installed its handlers (src/cli.ts main, before the command runs).
  const go = world.fake.nextRequest({ service: 'sts' });
  const run = await runOnPty(['login', 'prod', ALICE.code], cleanEnv(world.home, { AWS_ENDPOINT_URL: world.fake.url }), world.home, '', { signal: 'SIGINT' }, { go });
  assert.is(run.status, 130, run.output);
  assert.ok(run.echoAfter && run.canonicalAfter);
  await assertNothingWritten(world, before);
});

Signals('SIGTERM while waiting for another run\'s lock: exit 143, that lock left alone, nothing written', async ({ world }) => {
  const lock = lockPathFor(world.credentials);
  await writeFile(lock, `${process.pid}\n`, { mode: 0o600 }); // held by a live process: this one
  try {
    const before = await world.snapshot();
    // Each try to take the lock leaves a draft beside it (.credentials.aws2fa.lock.…): the first means it waits.
    const waiting = new Promise<void>((resolve) => {
      const watcher = watch(world.aws, (_event, name) => {
        if (name !== basename(lock) && name?.startsWith(`${basename(lock)}.`)) {
          watcher.close();
          resolve();
        }
      });
    });
    const running = startBinary(['login', 'prod', ALICE.code], cleanEnv(world.home, { AWS_ENDPOINT_URL: world.fake.url }));
    await waiting;
    running.child.kill('SIGTERM');
    const exit = await running.exited;
    assert.equal([exit.status, exit.stderr], [143, 'aws2fa: interrupted (SIGTERM); nothing was written\n']);
    assert.is(await readFile(lock, 'utf8'), `${process.pid}\n`, 'the other run\'s lock is still there');
    assert.equal(await world.snapshot(), before);
  } finally {
    await unlink(lock);
  }
  assert.equal(await leftovers(world.aws), [], 'no lock draft or temporary file left');
});

Signals.run();
