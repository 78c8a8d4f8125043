import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ALICE } from '../helpers/home.js';
import { makeWorld, STANDARD_CREDENTIALS, type World } from '../helpers/world.js';

const Lone = suite<{ world: World }>('codes: a lone 6-digit word is the CODE unless a profile has that name');

Lone.before.each(async (context) => {
  context.world = await makeWorld();
});
Lone.after.each(async (context) => {
  await context.world.remove();
});

const tokenCodes = (world: World) => world.fake.requests.map((request) => request.params.TokenCode);

Lone('a lone 6-digit word is the CODE when no profile has that name: login 123456 with AWS_PROFILE set, and aws2fa 123456', async ({ world }) => {
  for (const argv of [['login', ALICE.code], [ALICE.code]]) {
    const result = await world.aws2fa(argv, { env: { AWS_PROFILE: 'prod', AWS_ENDPOINT_URL: world.fake.url } });
    assert.is(result.status, 0, result.stderr);
    assert.match(result.stdout, /^Logged in prod until/);
  }
  assert.equal(tokenCodes(world), [ALICE.code, ALICE.code]);
  assert.ok(world.fake.requests.every((request) => request.accessKeyId === ALICE.accessKeyId), 'prod\'s keys');
});

Lone('env login 123456 without AWS_PROFILE is default\'s login with that code', async ({ world }) => {
  const result = await world.aws2fa(['env', 'login', ALICE.code, '--serial', ALICE.mfaSerial, '--shell', 'bash']);
  assert.is(result.status, 1, 'default has other keys than alice: AWS refuses them, but the code was the CODE');
  assert.is(world.fake.requests[0]!.accessKeyId, 'AKIADEFAULTEXAMPLE00');
  assert.is(world.fake.requests[0]!.params.TokenCode, ALICE.code);
});

Lone('a profile really named 123456 is still that profile', async ({ world }) => {
  await world.writeCredentials(`${STANDARD_CREDENTIALS}\n[123456]\naws_access_key_id = ${ALICE.accessKeyId}\naws_secret_access_key = ${ALICE.secretAccessKey}\n`);
  const result = await world.aws2fa(['login', '123456', '--serial', ALICE.mfaSerial]);
  assert.is(result.status, 1);
  assert.is(result.stderr, 'aws2fa: no MFA code given and no terminal to ask on: run aws2fa login 123456 123456 with the code from your device\n');
  assert.is(world.fake.requests.length, 0);
});

Lone.run();
