import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { cleanEnv } from '../helpers/cli.js';
import { ALICE } from '../helpers/home.js';
import { leftovers } from '../helpers/processes.js';
import { makeWorld, type World } from '../helpers/world.js';
import { dialog, ptyAvailable } from './pty-dialog.js';

// The terminal prompt forgives: a malformed or refused code costs a try, not the run, and the device ARN typed
// once is kept across the tries. One reader of the terminal for the whole run.
const Prompt = suite<{ world: World }>('codes: the code prompt on a real terminal');

// prod without mfa_serial: the device is asked for first.
const NO_SERIAL_CONFIG = '[profile prod]\nregion = eu-west-1\n';
const CODE_PROMPT = 'MFA code for prod: ';
const ARN_PROMPT = 'MFA device ARN for profile prod';

Prompt.before.each(async (context) => {
  context.world = await makeWorld({ config: NO_SERIAL_CONFIG });
});
Prompt.after.each(async (context) => {
  await context.world.remove();
});

const envOf = (world: World) => cleanEnv(world.home, { AWS_ENDPOINT_URL: world.fake.url });
const count = (text: string, part: string) => text.split(part).length - 1;
const tokenCodes = (world: World) => world.fake.requests.map((request) => request.params.TokenCode);

Prompt('a malformed code, then a wrong one AWS refuses, then the right one: logged in, the device asked once and saved', async ({ world }) => {
  if (!ptyAvailable()) return;
  const run = await dialog(['login', 'prod'], envOf(world), world.home, [
    { waitFor: ARN_PROMPT, type: `${ALICE.mfaSerial}\r` },
    { waitFor: CODE_PROMPT, type: '12a456\r' },
    { waitFor: 'aws2fa: a code is the 6 digits your device shows; try again' },
    { waitFor: CODE_PROMPT, type: '654321\r' },
    { waitFor: 'aws2fa: wrong code, try the next one' },
    { waitFor: CODE_PROMPT, type: `${ALICE.code}\r` },
  ]);
  assert.is(run.reached, 6, run.output);
  assert.is(run.status, 0, run.output);
  assert.match(run.output, /Logged in prod until/);
  assert.is(count(run.output, ARN_PROMPT), 1, 'the device ARN is asked once');
  assert.equal(tokenCodes(world), ['654321', ALICE.code], 'the malformed code never reached AWS');
  assert.ok(world.fake.requests.every((request) => request.params.SerialNumber === ALICE.mfaSerial), 'the typed device on every try');
  assert.match(await world.read(world.config), new RegExp(`mfa_serial = ${ALICE.mfaSerial}`));
  assert.ok(run.echoAfter && run.canonicalAfter, 'the terminal is back in line mode with echo');
});

Prompt('three tries in all: the third wrong code ends the run with AWS\'s refusal, nothing written', async ({ world }) => {
  if (!ptyAvailable()) return;
  const before = await world.snapshot();
  const run = await dialog(['login', 'prod', '--serial', ALICE.mfaSerial], envOf(world), world.home, [
    { waitFor: CODE_PROMPT, type: '111111\r' },
    { waitFor: CODE_PROMPT, type: '222222\r' },
    { waitFor: CODE_PROMPT, type: '333333\r' },
  ]);
  assert.is(run.status, 1, run.output);
  assert.is(count(run.output, 'wrong code, try the next one'), 2);
  assert.match(run.output, /aws2fa: AWS rejected the MFA code for arn:aws:iam::123456789012:mfa\/alice/);
  assert.is(count(run.output, CODE_PROMPT), 3, 'no fourth question');
  assert.equal(tokenCodes(world), ['111111', '222222', '333333']);
  assert.equal(await world.snapshot(), before);
  assert.equal(await leftovers(world.aws), []);
});

Prompt('an empty answer says "no code typed" and asks again', async ({ world }) => {
  if (!ptyAvailable()) return;
  const run = await dialog(['login', 'prod', '--serial', ALICE.mfaSerial], envOf(world), world.home, [
    { waitFor: CODE_PROMPT, type: '\r' },
    { waitFor: 'aws2fa: no code typed; type the 6 digits your device shows' },
    { waitFor: CODE_PROMPT, type: `${ALICE.code}\r` },
  ]);
  assert.is(run.status, 0, run.output);
  assert.equal(tokenCodes(world), [ALICE.code]);
});

// Two readline interfaces one after the other on the same terminal decoded every key twice: a typed 123 showed
// (and was read) as 112233 after the device question.
Prompt('no double echo after a first question: the code typed after the device ARN is read as typed', async ({ world }) => {
  if (!ptyAvailable()) return;
  const run = await dialog(['login', 'prod'], envOf(world), world.home, [
    { waitFor: ARN_PROMPT, type: `${ALICE.mfaSerial}\r` },
    { waitFor: CODE_PROMPT, type: '123' },
    { waitFor: '123', type: '456\r' },
  ]);
  assert.is(run.status, 0, run.output);
  assert.not.match(run.output, /112233/);
  assert.equal(tokenCodes(world), [ALICE.code]);
});

Prompt('Ctrl-D at the prompt ends the prompt line with a newline, exits 1, writes nothing', async ({ world }) => {
  if (!ptyAvailable()) return;
  const before = await world.snapshot();
  const run = await dialog(['login', 'prod', '--serial', ALICE.mfaSerial], envOf(world), world.home, [{ waitFor: CODE_PROMPT, type: '\u0004' }]);
  assert.is(run.status, 1, run.output);
  // readline may move the cursor back to the end of the prompt before the newline.
  assert.match(run.output, /MFA code for prod: (\u001b\[\d+G)?\r\naws2fa: no answer: the terminal input ended \(Ctrl-D\)\r\n$/);
  assert.ok(run.echoAfter && run.canonicalAfter);
  assert.is(world.fake.requests.length, 0);
  assert.equal(await world.snapshot(), before);
});

Prompt.run();
