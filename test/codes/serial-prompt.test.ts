import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { cleanEnv } from '../helpers/cli.js';
import { ALICE } from '../helpers/home.js';
import { makeWorld, type World } from '../helpers/world.js';
import { dialog, ptyAvailable } from './pty-dialog.js';

// A mistyped device ARN costs a try, as a code does (3 in all), not the run; the valid one is saved as before.
const SerialPrompt = suite<{ world: World }>('codes: the device ARN prompt asks again');

const NO_SERIAL_CONFIG = '[profile prod]\nregion = eu-west-1\n';
const ARN_PROMPT = 'MFA device ARN for profile prod';
const CODE_PROMPT = 'MFA code for prod: ';

SerialPrompt.before.each(async (context) => {
  context.world = await makeWorld({ config: NO_SERIAL_CONFIG });
});
SerialPrompt.after.each(async (context) => {
  await context.world.remove();
});

const envOf = (world: World) => cleanEnv(world.home, { AWS_ENDPOINT_URL: world.fake.url });
const count = (text: string, part: string) => text.split(part).length - 1;

SerialPrompt('a malformed ARN, then an empty line, then the right one: logged in, that ARN saved', async ({ world }) => {
  if (!ptyAvailable()) return;
  const run = await dialog(['login', 'prod'], envOf(world), world.home, [
    { waitFor: ARN_PROMPT, type: 'arn:aws:iam::123456789012:mfa alice\r' },
    { waitFor: 'is not a device ARN like arn:aws:iam::123456789012:mfa/alice; try again' },
    { waitFor: ARN_PROMPT, type: '\r' },
    { waitFor: 'aws2fa: no device ARN typed; try again' },
    { waitFor: ARN_PROMPT, type: `${ALICE.mfaSerial}\r` },
    { waitFor: CODE_PROMPT, type: `${ALICE.code}\r` },
  ]);
  assert.is(run.reached, 6, run.output);
  assert.is(run.status, 0, run.output);
  assert.match(run.output, /Logged in prod until/);
  assert.is(count(run.output, ARN_PROMPT), 3);
  assert.equal(world.fake.requests.map((request) => request.params.SerialNumber), [ALICE.mfaSerial]);
  assert.is(await world.read(world.config), `${NO_SERIAL_CONFIG}mfa_serial = ${ALICE.mfaSerial}\n`);
});

SerialPrompt('three malformed ARNs end the run: exit 2, no code asked, no request, nothing written', async ({ world }) => {
  if (!ptyAvailable()) return;
  const before = await world.snapshot();
  const run = await dialog(['login', 'prod'], envOf(world), world.home, [
    { waitFor: ARN_PROMPT, type: 'alice\r' },
    { waitFor: ARN_PROMPT, type: 'my phone\r' },
    { waitFor: ARN_PROMPT, type: 'arn:aws:iam::123456789012:mfa/a b\r' },
  ]);
  assert.is(run.reached, 3, run.output);
  assert.is(run.status, 2, run.output);
  assert.is(count(run.output, ARN_PROMPT), 3, 'no fourth question');
  assert.is(count(run.output, '; try again'), 2);
  assert.match(run.output, /aws2fa: the MFA device "arn:aws:iam::123456789012:mfa\/a b" \(typed on the terminal\) is not a device ARN like arn:aws:iam::123456789012:mfa\/alice\r\n$/);
  assert.not.ok(run.output.includes(CODE_PROMPT));
  assert.is(world.fake.requests.length, 0);
  assert.equal(await world.snapshot(), before);
});

SerialPrompt.run();
