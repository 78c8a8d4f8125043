import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ALICE } from '../helpers/home.js';
import { makeWorld, scriptedTerminal, STANDARD_CREDENTIALS, type World } from '../helpers/world.js';

const Options = suite<{ world: World }>('commands/login: serial, region, folders and endpoints');

Options.before.each(async (context) => {
  context.world = await makeWorld();
});
Options.after.each(async (context) => {
  await context.world.remove();
});

const lastCall = (world: World) => world.fake.requests.filter((r) => r.action === 'GetSessionToken').at(-1)!;
const PROD_ONLY = `[prod]\naws_access_key_id = ${ALICE.accessKeyId}\naws_secret_access_key = ${ALICE.secretAccessKey}\n`;

Options('mfa_serial comes from the credentials file first, then the config file; --serial wins', async ({ world }) => {
  const other = 'arn:aws:iam::123456789012:mfa/from-credentials';
  world.fake.addUser({ ...ALICE, accessKeyId: 'AKIASECONDUSER000001', mfaSerial: other });
  await world.writeCredentials(`[prod]\naws_access_key_id = AKIASECONDUSER000001\naws_secret_access_key = ${ALICE.secretAccessKey}\nmfa_serial = ${other}\n`);
  assert.is((await world.aws2fa(['login', 'prod', '123456'])).status, 0);
  assert.is(lastCall(world).params.SerialNumber, other);
  const result = await world.aws2fa(['login', 'prod', '123456', '--serial', 'arn:aws:iam::123456789012:mfa/flag']);
  assert.is(result.status, 1);
  assert.is(lastCall(world).params.SerialNumber, 'arn:aws:iam::123456789012:mfa/flag');
});

Options('[default] of the config file serves the default profile', async ({ world }) => {
  await world.writeCredentials(`[default]\naws_access_key_id = ${ALICE.accessKeyId}\naws_secret_access_key = ${ALICE.secretAccessKey}\n`);
  await world.writeConfig(`[default]\nmfa_serial = ${ALICE.mfaSerial}\n`);
  assert.is((await world.aws2fa(['login', '--', 'default', '123456'])).status, 0);
  assert.is(lastCall(world).params.SerialNumber, ALICE.mfaSerial);
});

Options('a serial asked on the terminal is saved to [profile NAME] of the config, after the login succeeded', async ({ world }) => {
  const config = '# mine\n[profile prod]\nregion = eu-west-1\n\n[profile other]\nregion = x\n';
  await world.writeConfig(config);
  const terminal = scriptedTerminal([ALICE.mfaSerial, '123456']);
  const result = await world.aws2fa(['login', 'prod'], { terminal });
  assert.is(result.status, 0, result.stderr);
  assert.equal(terminal.questions, [`MFA device ARN for profile prod (saved to ${world.config}): `, 'MFA code for prod: ']);
  assert.is(await world.read(world.config), config.replace('region = eu-west-1\n', `region = eu-west-1\nmfa_serial = ${ALICE.mfaSerial}\n`));
});

Options('a serial asked for a profile absent from the config gets a new section (default: [default]); a failed login saves nothing', async ({ world }) => {
  await world.writeConfig('');
  const failed = await world.aws2fa(['login', 'prod'], { terminal: scriptedTerminal([ALICE.mfaSerial, '999999']) });
  assert.is(failed.status, 1);
  assert.is(await world.read(world.config), '');
  assert.is((await world.aws2fa(['login', 'prod'], { terminal: scriptedTerminal([ALICE.mfaSerial, '123456']) })).status, 0);
  assert.is(await world.read(world.config), `[profile prod]\nmfa_serial = ${ALICE.mfaSerial}\n`);
});

Options('a serial asked for the default profile is saved to [default] of the config', async ({ world }) => {
  await world.writeCredentials(`[default]\naws_access_key_id = ${ALICE.accessKeyId}\naws_secret_access_key = ${ALICE.secretAccessKey}\n`);
  await world.writeConfig('[profile prod]\nregion = eu-west-1\n');
  const result = await world.aws2fa(['login'], { terminal: scriptedTerminal([ALICE.mfaSerial, ALICE.code]) });
  assert.is(result.status, 0, result.stderr);
  assert.is(await world.read(world.config), `[profile prod]\nregion = eu-west-1\n\n[default]\nmfa_serial = ${ALICE.mfaSerial}\n`);
  assert.is((await world.aws2fa(['login', 'default', ALICE.code])).status, 0, 'found there next time');
});

Options('the code is asked on the terminal when missing', async ({ world }) => {
  const terminal = scriptedTerminal(['123 456']);
  const result = await world.aws2fa(['login', 'prod'], { terminal });
  assert.is(result.status, 0, result.stderr);
  assert.is(lastCall(world).params.TokenCode, '123456');
});

Options('STS region: --region, then the profile region, then AWS_REGION / AWS_DEFAULT_REGION, then us-east-1', async ({ world }) => {
  await world.aws2fa(['login', 'prod', '123456', '--region', 'ap-south-1']);
  assert.is(lastCall(world).region, 'ap-south-1');
  await world.aws2fa(['login', 'prod', '123456'], { env: { AWS_REGION: 'us-west-2' } });
  assert.is(lastCall(world).region, 'eu-west-1');
  await world.writeConfig(`[profile prod]\nmfa_serial = ${ALICE.mfaSerial}\n`);
  await world.aws2fa(['login', 'prod', '123456'], { env: { AWS_REGION: 'us-west-2', AWS_DEFAULT_REGION: 'eu-north-1' } });
  assert.is(lastCall(world).region, 'us-west-2');
  await world.aws2fa(['login', 'prod', '123456'], { env: { AWS_DEFAULT_REGION: 'eu-north-1' } });
  assert.is(lastCall(world).region, 'eu-north-1');
  await world.aws2fa(['login', 'prod', '123456']);
  assert.is(lastCall(world).region, 'us-east-1');
});

Options('AWS_ENDPOINT_URL_STS wins over AWS_ENDPOINT_URL', async ({ world }) => {
  const result = await world.aws2fa(['login', 'prod', '123456'], { env: { AWS_ENDPOINT_URL: 'http://127.0.0.1:9', AWS_ENDPOINT_URL_STS: world.fake.url } });
  assert.is(result.status, 0, result.stderr);
});

Options('--directory DIR uses DIR/credentials and DIR/config; --name NAME uses ~/.aws-NAME/', async ({ world }) => {
  const dir = join(world.home, 'elsewhere');
  await mkdir(dir);
  await writeFile(join(dir, 'credentials'), PROD_ONLY);
  await writeFile(join(dir, 'config'), `[profile prod]\nmfa_serial = ${ALICE.mfaSerial}\n`);
  const before = await world.snapshot();
  assert.is((await world.aws2fa(['login', 'prod', '123456', '--directory', dir])).status, 0);
  assert.match(await world.read(join(dir, 'credentials')), /\[prod::source-profile\]/);
  const named = join(world.home, '.aws-acme');
  await mkdir(named);
  await writeFile(join(named, 'credentials'), PROD_ONLY);
  await writeFile(join(named, 'config'), `[profile prod]\nmfa_serial = ${ALICE.mfaSerial}\n`);
  assert.is((await world.aws2fa(['login', 'prod', '123456', '--name', 'acme'])).status, 0);
  assert.match(await world.read(join(named, 'credentials')), /\[prod::source-profile\]/);
  assert.is((await world.aws2fa(['logout', 'prod', '--name', 'acme'])).status, 0);
  assert.is(await world.read(join(named, 'credentials')), PROD_ONLY);
  assert.equal(await world.snapshot(), before, '~/.aws untouched');
});

Options('AWS_SHARED_CREDENTIALS_FILE and AWS_CONFIG_FILE are honoured, ~ included', async ({ world }) => {
  await writeFile(join(world.home, 'creds'), PROD_ONLY);
  await writeFile(join(world.home, 'conf'), `[profile prod]\nmfa_serial = ${ALICE.mfaSerial}\n`);
  const env = { AWS_SHARED_CREDENTIALS_FILE: '~/creds', AWS_CONFIG_FILE: join(world.home, 'conf') };
  assert.is((await world.aws2fa(['login', 'prod', '123456'], { env })).status, 0);
  assert.match(await world.read(join(world.home, 'creds')), /\[prod::source-profile\]/);
  assert.is(await world.read(world.credentials), STANDARD_CREDENTIALS);
});

Options('--name refuses names that would leave ~/.aws-NAME', async ({ world }) => {
  const result = await world.aws2fa(['login', 'prod', '123456', '--name', '../x']);
  assert.is(result.status, 2);
  assert.match(result.stderr, /--name "..\/x": use letters/);
});

Options('a --region that is not a region name is a usage error before any request', async ({ world }) => {
  const result = await world.aws2fa(['login', 'prod', ALICE.code, '--region', 'eu west 1']);
  assert.equal([result.status, result.stdout], [2, '']);
  assert.match(result.stderr, /^aws2fa: Invalid value for --region: "eu west 1" is not a region name like eu-west-1/);
  assert.is(world.fake.requests.length, 0);
});

Options.run();
