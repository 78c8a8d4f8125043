import { createServer } from 'node:net';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ALICE } from '../helpers/home.js';
import { makeWorld, STANDARD_CONFIG, type World } from '../helpers/world.js';

// CONTRACT "Errors": one clear line on stderr, a non-zero exit, nothing on stdout, both files byte-identical.
const Errors = suite<{ world: World }>('commands/login: every bad input is one line on stderr and changes nothing');

Errors.before.each(async (context) => {
  context.world = await makeWorld();
});
Errors.after.each(async (context) => {
  await context.world.remove();
});

async function expectFailure(world: World, argv: string[], status: number, message: RegExp, env: Record<string, string | undefined> = {}) {
  const before = await world.snapshot();
  const result = await world.aws2fa(argv, { env });
  assert.is(result.status, status, `${argv.join(' ')}: ${result.stderr}`);
  assert.is(result.stdout, '');
  assert.match(result.stderr, message);
  assert.is(result.stderr.split('\n').length, 2, `one line: ${JSON.stringify(result.stderr)}`);
  assert.not.match(result.stderr, /\n\s+at /, 'no stack trace');
  assert.equal(await world.snapshot(), before);
  return result;
}

Errors('unknown profile names the file and the known profiles', async ({ world }) => {
  await expectFailure(world, ['login', 'nope', '123456'], 1, new RegExp(`^aws2fa: profile nope is not in ${world.credentials} \\(known profiles: default, prod\\)`));
  await expectFailure(world, ['logout', 'nope'], 1, /profile nope is not in .* \(known profiles: default, prod\)/);
});

Errors('a missing credentials file says how to create one', async ({ world }) => {
  await expectFailure(world, ['login', 'prod', '123456', '--directory', `${world.home}/empty`], 1, new RegExp(`no credentials file at ${world.home}/empty/credentials: create it with AWS_SHARED_CREDENTIALS_FILE=${world.home}/empty/credentials aws configure --profile prod\n$`));
});

Errors('a profile without long-term keys', async ({ world }) => {
  await world.writeCredentials('[prod]\nregion = eu-west-1\n');
  await expectFailure(world, ['login', 'prod', '123456'], 1, /\[prod\] in .* has no aws_access_key_id and aws_secret_access_key/);
});

Errors('a profile holding session keys with no backup is refused, never overwritten', async ({ world }) => {
  await world.writeCredentials('[prod]\naws_access_key_id = ASIAFOREIGNSESSION01\naws_secret_access_key = s\naws_session_token = t\n');
  await expectFailure(world, ['login', 'prod', '123456'], 1, /holds session keys and there is no \[prod::source-profile\].*refusing to overwrite/);
  assert.is(world.fake.requests.length, 0);
});

Errors('a code that is not 6 digits is refused before any network call', async ({ world }) => {
  for (const code of ['12345', '1234567', 'abcdef', '12 34 5']) {
    await expectFailure(world, ['login', 'prod', code], 2, /the MFA code must be the 6 digits your device shows now/);
  }
  assert.is(world.fake.requests.length, 0);
});

Errors('a code AWS rejects', async ({ world }) => {
  await expectFailure(world, ['login', 'prod', '000000'], 1, /^aws2fa: AWS rejected the MFA code for arn:aws:iam::123456789012:mfa\/alice: wait for the next code/);
});

Errors('an access key AWS does not know, or a disabled one', async ({ world }) => {
  await world.writeCredentials('[prod]\naws_access_key_id = AKIAUNKNOWNKEY000001\naws_secret_access_key = x\n');
  await expectFailure(world, ['login', 'prod', '123456'], 1, /AWS does not accept access key AKIA…0001: it is wrong, deleted or deactivated/);
  world.fake.addUser({ ...ALICE, accessKeyId: 'AKIADISABLEDKEY00002', disabled: true });
  await world.writeCredentials(`[prod]\naws_access_key_id = AKIADISABLEDKEY00002\naws_secret_access_key = ${ALICE.secretAccessKey}\n`);
  await expectFailure(world, ['login', 'prod', '123456'], 1, /AWS does not accept access key AKIA…0002/);
});

Errors('a secret that does not match the key, never echoed', async ({ world }) => {
  await world.writeCredentials(`[prod]\naws_access_key_id = ${ALICE.accessKeyId}\naws_secret_access_key = WRONG/secret+x=\n`);
  const result = await expectFailure(world, ['login', 'prod', '123456'], 1, /the secret access key does not match access key AKIA…MPLE/);
  assert.not.match(result.stderr, /WRONG/);
});

Errors('GetSessionToken refused (ValidationError from AWS)', async ({ world }) => {
  await world.writeConfig(STANDARD_CONFIG.replace(ALICE.mfaSerial, 'arn:aws:iam::123456789012:mfa/someone-else'));
  await expectFailure(world, ['login', 'prod', '123456'], 1, /AWS rejected the MFA code for arn:aws:iam::123456789012:mfa\/someone-else/);
});

Errors('an endpoint that refuses connections is named, within the bound', async ({ world }) => {
  const port = await new Promise<number>((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
  await expectFailure(world, ['login', 'prod', '123456'], 1, new RegExp(`cannot reach STS at http://127.0.0.1:${port} \\(ECONNREFUSED\\)`), {
    AWS_ENDPOINT_URL: `http://127.0.0.1:${port}`,
  });
});

Errors('a hanging endpoint fails within the bound instead of hanging', async ({ world }) => {
  world.fake.injectFault('hang', { service: 'sts' });
  await expectFailure(world, ['login', 'prod', '123456'], 1, /STS at http:\/\/127\.0\.0\.1:\d+ did not answer in time/, { AWS2FA_HTTP_TIMEOUT: '0.3' });
});

Errors('a missing serial with no terminal says how to set it', async ({ world }) => {
  await world.writeConfig('[profile prod]\nregion = eu-west-1\n');
  await expectFailure(world, ['login', 'prod', '123456'], 1, /profile prod has no MFA device: pass --serial .* or run aws configure set mfa_serial/);
});

Errors('a missing code with no terminal', async ({ world }) => {
  await expectFailure(world, ['login', 'prod'], 1, /no MFA code given and no terminal to ask on/);
});

Errors('malformed credentials or config files name the line', async ({ world }) => {
  await world.writeCredentials('[prod]\naws_access_key_id = A\naws_access_key_id = B\n');
  await expectFailure(world, ['login', 'prod', '123456'], 1, /credentials line 3: key aws_access_key_id appears twice in \[prod\]/);
  await world.writeCredentials('[prod]\naws_access_key_id = A\naws_secret_access_key = B\n');
  await world.writeConfig('region = x\n');
  await expectFailure(world, ['login', 'prod', '123456'], 1, /config line 1: a line before the first \[section\] header/);
});

Errors('an unreadable credentials path (a directory)', async ({ world }) => {
  await expectFailure(world, ['login', 'prod', '123456'], 1, /is a directory, not a file/, { AWS_SHARED_CREDENTIALS_FILE: world.aws });
});

Errors('--directory and --name together are a usage error', async ({ world }) => {
  await expectFailure(world, ['login', 'prod', '123456', '--directory', '/tmp', '--name', 'x'], 2, /mutually exclusive properties "directory" and "name"/);
});

Errors('unknown options are one line on stderr, not Clipanion usage on stdout', async ({ world }) => {
  await expectFailure(world, ['login', 'prod', '--bogus'], 2, /^aws2fa: unknown option --bogus \(see aws2fa login --help\)\n$/);
});

Errors.run();
