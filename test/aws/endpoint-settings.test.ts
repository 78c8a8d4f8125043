import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { AwsSettingError, callBoundMs, maskedEndpoint, targetFor } from '../../src/aws/endpoint.js';
import { makeFakeDocker, pathWith } from '../helpers/fake-docker.js';
import { ALICE } from '../helpers/home.js';
import { rejection } from '../helpers/reject.js';
import { makeWorld, type World } from '../helpers/world.js';

// Issue 11: the endpoint and timeout settings from the environment. A user:password in an endpoint URL never
// shows in a message or a debug line; an endpoint that is not http(s) and an absurd AWS2FA_HTTP_TIMEOUT are
// refused in one line before any request.
const Settings = suite<{ world: World }>('aws: endpoint URLs and HTTP timeouts from the environment are checked and never leak a password');

Settings.before.each(async (context) => {
  context.world = await makeWorld();
});
Settings.after.each(async (context) => {
  await context.world.remove();
});

const PASSWORD = 'hunter2-s3cret';
const withUserInfo = (url: string) => url.replace('http://', `http://proxyuser:${PASSWORD}@`);

Settings('user:password in AWS_ENDPOINT_URL is masked in the error line and in every debug line', async ({ world }) => {
  world.fake.injectFault('500', { service: 'sts' });
  const endpoint = withUserInfo(world.fake.url);
  const result = await world.aws2fa(['login', 'prod', ALICE.code], { env: { AWS_ENDPOINT_URL: endpoint, AWS2FA_DEBUG: '1', AWS2FA_HTTP_TIMEOUT: '0.25' } });
  assert.is(result.status, 1);
  assert.is(result.stderr.split('\n').at(-2), `aws2fa: STS at http://***@${world.fake.url.slice('http://'.length)} failed (HTTP 500): try again in a moment`);
  assert.ok(result.stderr.includes(`at http://***@127.0.0.1`), 'the debug lines name the endpoint, masked');
  assert.not.ok(result.stderr.includes(PASSWORD), result.stderr);
  assert.not.ok(result.stderr.includes('proxyuser'), result.stderr);
  assert.is(world.fake.requests.length, 2, 'the endpoint was used, user info and all');

  const refused = await world.aws2fa(['login', 'prod', ALICE.code], { env: { AWS_ENDPOINT_URL_STS: `http://me:${PASSWORD}@127.0.0.1:1` } });
  assert.is(refused.stderr, `aws2fa: cannot reach STS at http://***@127.0.0.1:1 (ECONNREFUSED): check your network, VPN or AWS_ENDPOINT_URL\n`);
});

Settings('an ftp:// or schemeless endpoint is refused in one line before any request, its password masked', async ({ world }) => {
  const before = await world.snapshot();
  const port = world.fake.url.slice('http://127.0.0.1:'.length);
  const cases: Array<[Record<string, string>, string]> = [
    [{ AWS_ENDPOINT_URL: `ftp://127.0.0.1:${port}` }, `AWS_ENDPOINT_URL=ftp://127.0.0.1:${port}`],
    [{ AWS_ENDPOINT_URL_STS: `ftp://me:${PASSWORD}@127.0.0.1:${port}` }, `AWS_ENDPOINT_URL_STS=ftp://***@127.0.0.1:${port}`],
    [{ AWS_ENDPOINT_URL: `localhost:${port}` }, `AWS_ENDPOINT_URL=localhost:${port}`],
    [{ AWS_ENDPOINT_URL: `127.0.0.1:${port}` }, `AWS_ENDPOINT_URL=127.0.0.1:${port}`],
  ];
  for (const [env, shown] of cases) {
    for (const argv of [['login', 'prod', ALICE.code], ['env', 'login', 'prod', ALICE.code, '--shell', 'bash']]) {
      const result = await world.aws2fa(argv, { env });
      assert.is(result.status, 1, result.stderr);
      assert.is(result.stdout, '');
      assert.is(
        result.stderr,
        `aws2fa: ${shown} is not an https:// or http:// URL: set it to one, e.g. https://sts.eu-west-1.amazonaws.com or http://localhost:4566, or unset it\n`,
      );
    }
  }
  assert.is(world.fake.requests.length, 0, 'nothing reached the endpoint');
  assert.equal(await world.snapshot(), before);
});

Settings('an ftp:// ECR endpoint is refused with --ecr before the MFA code is spent', async ({ world }) => {
  const docker = await makeFakeDocker();
  try {
    const result = await world.aws2fa(['login', 'prod', ALICE.code, '--ecr'], { env: { AWS_ENDPOINT_URL_ECR: 'ftp://ecr.example', PATH: pathWith(docker.bin) } });
    assert.is(result.status, 1);
    assert.match(result.stderr, /^aws2fa: AWS_ENDPOINT_URL_ECR=ftp:\/\/ecr\.example is not an https:\/\/ or http:\/\/ URL/);
    assert.is(world.fake.requests.length, 0, 'no GetSessionToken: the code is still good');
    assert.equal(await docker.calls(), []);
  } finally {
    await docker.remove();
  }
});

Settings('AWS2FA_HTTP_TIMEOUT=3000000 is refused in one line before any request; 0.1 to 60 s are taken', async ({ world }) => {
  for (const value of ['3000000', '61', '0', '0.05', '-1', '1e3', 'abc', 'Infinity', '3\u001b[2J']) {
    const result = await world.aws2fa(['login', 'prod', ALICE.code], { env: { AWS2FA_HTTP_TIMEOUT: value } });
    assert.is(result.status, 1, value);
    assert.is(
      result.stderr,
      `aws2fa: AWS2FA_HTTP_TIMEOUT=${value.replace('\u001b[2J', '')} is not a number of seconds from 0.1 to 60: set one, or unset it for the default (3 s to connect, 10 s of silence)\n`,
    );
  }
  assert.is(world.fake.requests.length, 0);
  const slow = await world.aws2fa(['login', 'prod', ALICE.code], { env: { AWS2FA_HTTP_TIMEOUT: '60' } });
  assert.is(slow.status, 0, slow.stderr);

  const bounds = (value: string) => {
    const target = targetFor({ AWS2FA_HTTP_TIMEOUT: value }, 'STS', 'us-east-1');
    return [target.connectTimeoutMs, target.requestTimeoutMs, callBoundMs(target)];
  };
  assert.equal(bounds('60'), [60_000, 60_000, 242_000]);
  assert.equal(bounds(' 2.5 '), [2_500, 2_500, 12_000]);
  assert.equal(bounds('.1'), [100, 100, 600]);
  assert.equal(bounds(''), [3_000, 10_000, 28_000], 'empty is unset');
  await rejection(() => targetFor({ AWS2FA_HTTP_TIMEOUT: '3000000' }, 'ECR', 'us-east-1'), AwsSettingError);
});

Settings('maskedEndpoint hides everything up to the last @ of the authority, and nothing else', () => {
  assert.is(maskedEndpoint('https://u:p@host:1/x@y'), 'https://***@host:1/x@y');
  assert.is(maskedEndpoint('https://u:p@ss@host/'), 'https://***@host/');
  assert.is(maskedEndpoint('https://host/path?q=a@b'), 'https://host/path?q=a@b');
  assert.is(maskedEndpoint('http://127.0.0.1:4566'), 'http://127.0.0.1:4566');
});

Settings.run();
