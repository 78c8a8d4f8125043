import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { cleanEnv, runBinary } from '../helpers/cli.js';
import { ALICE } from '../helpers/home.js';
import { makeWorld, type World } from '../helpers/world.js';

// Bare `aws2fa`: logs in `default` as the original aws2fa did when there is one; without one, one line saying so
// and the general help, exit 2 (never "profile default is not in …").
const Bare = suite<{ world: World }>('guide: bare aws2fa');

const PROD_ONLY = `[prod]\naws_access_key_id = ${ALICE.accessKeyId}\naws_secret_access_key = ${ALICE.secretAccessKey}\n`;

Bare.before.each(async (context) => {
  context.world = await makeWorld({ credentials: PROD_ONLY, config: `[profile prod]\nregion = eu-west-1\n` });
});
Bare.after.each(async (context) => {
  await context.world.remove();
});

Bare('without a default profile: one line and the general help on stderr, exit 2, nothing sent or written', async ({ world }) => {
  const before = await world.snapshot();
  const env = cleanEnv(world.home, { AWS_ENDPOINT_URL: world.fake.url });
  const bare = await runBinary([], env);
  const help = await runBinary(['--help'], env);
  const [line, blank, ...rest] = bare.stderr.split('\n');
  assert.equal([bare.status, bare.stdout], [2, '']);
  assert.is(line, `aws2fa: no profile default in ${world.credentials} or ${world.config} to log in: name a profile (aws2fa PROFILE [CODE]) or run a command`);
  assert.is(blank, '');
  assert.is(rest.join('\n'), help.stdout, 'the general help');
  assert.not.match(bare.stderr, /is not in/);
  assert.is(world.fake.requests.length, 0);
  assert.equal(await world.snapshot(), before);
  // AWS_PROFILE names the profile: its own errors and advice, as for aws2fa login.
  const named = await runBinary([], { ...env, AWS_PROFILE: 'prd' });
  assert.equal([named.status, named.stderr], [1, `aws2fa: profile prd is not in ${world.credentials} or ${world.config}; did you mean prod?\n`]);
});

Bare('with a default profile: logs it in, as the original aws2fa did', async ({ world }) => {
  await world.writeCredentials(PROD_ONLY.replace('[prod]', '[default]'));
  await world.writeConfig(`[default]\nmfa_serial = ${ALICE.mfaSerial}\nmfa_process = echo ${ALICE.code}\n`);
  const bare = await runBinary([], cleanEnv(world.home, { AWS_ENDPOINT_URL: world.fake.url }));
  assert.is(bare.status, 0, bare.stderr);
  assert.match(bare.stdout, /^Logged in default until /);
  assert.is(world.fake.requests.at(-1)!.params.TokenCode, ALICE.code);
  assert.match(await world.read(world.credentials), /\[default::source-profile\]/);
});

Bare.run();
