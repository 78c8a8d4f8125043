import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { cleanEnv } from '../helpers/cli.js';
import { findTool } from '../helpers/tools.js';
import { ALICE } from '../helpers/home.js';
import { makeWorld, type World } from '../helpers/world.js';
import { dialog, procCanBeHidden, ptyAvailable, type DialogStep } from '../codes/pty-dialog.js';

// exec on a real terminal, aws2fa in its foreground process group with the command: a Ctrl-C (or Ctrl-\) typed there
// reaches the command once, from the terminal itself; a kill -INT (or -QUIT) aimed at aws2fa's pid alone reaches it
// too, passed on. Both in any order, on Linux and without /proc (as on macOS).
const Keys = suite<{ world: World }>('exec: typed keys reach the command once, kills aimed at aws2fa reach it too');

Keys.before.each(async (context) => {
  context.world = await makeWorld();
});
Keys.after.each(async (context) => {
  await context.world.remove();
});

// Numbers every SIGINT and SIGQUIT it gets; on SIGUSR1 (passed on after every signal passed on before it) says the
// counts and ends. The signals are blocked and taken with sigwait: none is missed however it comes (bash's traps miss
// a signal that comes just before its read blocks).
const COUNTER = `import signal, sys
names = {signal.SIGINT: 'INT', signal.SIGQUIT: 'QUIT', signal.SIGUSR1: 'USR1'}
signal.pthread_sigmask(signal.SIG_BLOCK, set(names))
counts = {'INT': 0, 'QUIT': 0}
print('ready', flush=True)
while True:
    name = names[signal.sigwait(set(names))]
    if name == 'USR1':
        print(f"counted {counts['INT']} INT {counts['QUIT']} QUIT", flush=True)
        sys.exit(5)
    counts[name] += 1
    print(f'got {name} {counts[name]}', flush=True)`;

const CTRL_C = '\u0003';
const CTRL_BACKSLASH = '\u001c';

// aws2fa says (--debug) what it did with each signal: the next one is sent once both that line and the command's
// have come, so no two signals are ever pending at once in one process (the system would merge them into one).
async function converse(world: World, steps: DialogStep[], withoutProc = false) {
  const env = cleanEnv(world.home, { AWS_ENDPOINT_URL: world.fake.url });
  return dialog(['exec', '--debug', 'prod', ALICE.code, '--', findTool('python3')!, '-c', COUNTER], env, world.home, [{ waitFor: 'ready' }, ...steps], { withoutProc });
}

const NOT_PASSED = (signal: string) => `${signal} came from the terminal, to the command too: not passing it on`;
const PASSED = (signal: string) => `passing ${signal} on to the command`;

const KILLS: DialogStep[] = [
  { waitFor: '', signal: 'SIGINT' },
  { waitFor: ['got INT 1', PASSED('SIGINT')], signal: 'SIGQUIT' },
  { waitFor: ['got QUIT 1', PASSED('SIGQUIT')], signal: 'SIGUSR1' },
  { waitFor: 'counted' },
];

const MIXED: DialogStep[] = [
  { waitFor: '', type: CTRL_C },
  { waitFor: ['got INT 1', NOT_PASSED('SIGINT')], signal: 'SIGINT' },
  { waitFor: ['got INT 2', PASSED('SIGINT')], type: CTRL_C },
  { waitFor: ['got INT 3', NOT_PASSED('SIGINT')], type: CTRL_BACKSLASH },
  { waitFor: ['got QUIT 1', NOT_PASSED('SIGQUIT')], signal: 'SIGQUIT' },
  { waitFor: ['got QUIT 2', PASSED('SIGQUIT')], signal: 'SIGINT' },
  { waitFor: ['got INT 4', PASSED('SIGINT')], signal: 'SIGUSR1' },
  { waitFor: 'counted' },
];

Keys('kill -INT and -QUIT sent to aws2fa\'s pid reach the command while aws2fa is in the terminal\'s foreground group', async ({ world }) => {
  if (!ptyAvailable()) return;
  const run = await converse(world, KILLS);
  assert.is(run.reached, KILLS.length + 1, run.output);
  assert.match(run.output, /counted 1 INT 1 QUIT/);
  assert.is(run.status, 5, run.output);
});

Keys('typed Ctrl-C and Ctrl-\\ reach the command once each, kills of aws2fa once each, in any order', async ({ world }) => {
  if (!ptyAvailable()) return;
  const run = await converse(world, MIXED);
  assert.is(run.reached, MIXED.length + 1, run.output);
  assert.match(run.output, /counted 4 INT 2 QUIT/);
  assert.is(run.status, 5, run.output);
});

Keys('without /proc (as on macOS): typed keys once, kills of aws2fa once', async ({ world }) => {
  if (!ptyAvailable() || !procCanBeHidden()) return;
  const run = await converse(world, MIXED, true);
  assert.is(run.reached, MIXED.length + 1, run.output);
  assert.match(run.output, /counted 4 INT 2 QUIT/);
  assert.is(run.status, 5, run.output);
});

Keys.run();
