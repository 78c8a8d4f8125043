import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { accountSigninPage, consoleDestination, loginUrl, signinEndpoint } from '../../src/console/endpoints.js';
import { federatedUserName, shellSessionOf } from '../../src/console/session.js';

// Where the sign-in endpoint and the console are, per partition; what overrides them.
const Endpoints = suite('console: sign-in endpoints and console pages per partition');

Endpoints('each partition has its own sign-in endpoint, console and account sign-in page', () => {
  const cases = [
    ['us-east-1', 'https://signin.aws.amazon.com', 'https://us-east-1.console.aws.amazon.com/console/home?region=us-east-1', 'https://123456789012.signin.aws.amazon.com/console'],
    ['eu-west-1', 'https://signin.aws.amazon.com', 'https://eu-west-1.console.aws.amazon.com/console/home?region=eu-west-1', 'https://123456789012.signin.aws.amazon.com/console'],
    ['cn-north-1', 'https://signin.amazonaws.cn', 'https://cn-north-1.console.amazonaws.cn/console/home?region=cn-north-1', 'https://123456789012.signin.amazonaws.cn/console'],
    ['cn-northwest-1', 'https://signin.amazonaws.cn', 'https://cn-northwest-1.console.amazonaws.cn/console/home?region=cn-northwest-1', 'https://123456789012.signin.amazonaws.cn/console'],
    ['us-gov-west-1', 'https://signin.amazonaws-us-gov.com', 'https://us-gov-west-1.console.amazonaws-us-gov.com/console/home?region=us-gov-west-1', 'https://123456789012.signin.amazonaws-us-gov.com/console'],
  ] as const;
  for (const [region, signin, console, page] of cases) {
    assert.equal(signinEndpoint({}, region), { base: signin, variable: undefined }, region);
    assert.is(consoleDestination(region), console, region);
    assert.is(accountSigninPage('123456789012', region), page, region);
  }
});

Endpoints('AWS_ENDPOINT_URL_SIGNIN, else AWS_ENDPOINT_URL; neither with AWS_IGNORE_CONFIGURED_ENDPOINT_URLS', () => {
  assert.equal(signinEndpoint({ AWS_ENDPOINT_URL: 'http://localhost:4566', AWS_ENDPOINT_URL_SIGNIN: 'https://signin.example' }, 'cn-north-1'), { base: 'https://signin.example', variable: 'AWS_ENDPOINT_URL_SIGNIN' });
  assert.equal(signinEndpoint({ AWS_ENDPOINT_URL: 'http://localhost:4566' }, 'us-east-1'), { base: 'http://localhost:4566', variable: 'AWS_ENDPOINT_URL' });
  assert.equal(signinEndpoint({ AWS_ENDPOINT_URL: 'http://localhost:4566', AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: 'true' }, 'us-east-1'), { base: 'https://signin.aws.amazon.com', variable: undefined });
  assert.throws(() => signinEndpoint({ AWS_ENDPOINT_URL_SIGNIN: 'signin.aws.amazon.com' }, 'us-east-1'), /AWS_ENDPOINT_URL_SIGNIN=signin\.aws\.amazon\.com is not an https:\/\/ or http:\/\/ URL/);
});

Endpoints('the login URL: the base path kept, every value encoded', () => {
  const token = 'a+b/c=d-e_f%g&h';
  const url = new URL(loginUrl('https://proxy.example/aws/', 'https://eu-west-1.console.aws.amazon.com/s3/home?region=eu-west-1', token));
  assert.is(`${url.origin}${url.pathname}`, 'https://proxy.example/aws/federation');
  assert.equal(Object.fromEntries(url.searchParams), {
    Action: 'login',
    Issuer: 'aws2fa',
    Destination: 'https://eu-west-1.console.aws.amazon.com/s3/home?region=eu-west-1',
    SigninToken: token,
  });
});

Endpoints('a page keeps its own query and fragment; region added once', () => {
  assert.is(consoleDestination('eu-west-1', 's3/buckets/logs?tab=objects'), 'https://eu-west-1.console.aws.amazon.com/s3/buckets/logs?tab=objects&region=eu-west-1');
  assert.is(consoleDestination('eu-west-1', 'ec2/home?region=eu-west-2#Instances:'), 'https://eu-west-1.console.aws.amazon.com/ec2/home?region=eu-west-2#Instances:');
  assert.is(consoleDestination('eu-west-1', '//evil.example/x'), 'https://eu-west-1.console.aws.amazon.com/evil.example/x?region=eu-west-1');
});

Endpoints('the federated user name: the IAM user name, cut to 32 of [\\w+=,.@-]', () => {
  assert.is(federatedUserName('arn:aws:iam::123456789012:user/alice'), 'alice');
  assert.is(federatedUserName('arn:aws:iam::123456789012:user/division/team/bob.smith@example.com'), 'bob.smith@example.com');
  assert.is(federatedUserName(`arn:aws:iam::123456789012:user/${'x'.repeat(64)}`), 'x'.repeat(32));
  assert.is(federatedUserName('arn:aws:iam::123456789012:root'), 'root');
  assert.is(federatedUserName('arn:aws:iam::123456789012:user/a'), 'aws2fa');
});

Endpoints("the shell's env session: only of that profile, with 5 minutes left, with the shape of a session", () => {
  const now = new Date('2026-12-07T08:00:00Z');
  const expires = String(now.getTime() / 1000 + 3000);
  const env = { AWS2FA_PROFILE: 'admin', AWS2FA_EXPIRES: expires, AWS_ACCESS_KEY_ID: 'ASIAABCDEFGHIJKLMNOP', AWS_SECRET_ACCESS_KEY: 'secret+/=', AWS_SESSION_TOKEN: 'token+/=' };
  assert.equal(shellSessionOf(env, 'admin', now), { accessKeyId: 'ASIAABCDEFGHIJKLMNOP', secretAccessKey: 'secret+/=', sessionToken: 'token+/=', expiration: new Date(Number(expires) * 1000) });
  assert.is(shellSessionOf(env, 'other', now), undefined);
  assert.is(shellSessionOf({ ...env, AWS2FA_EXPIRES: String(now.getTime() / 1000 + 299) }, 'admin', now), undefined);
  assert.is(shellSessionOf({ ...env, AWS2FA_EXPIRES: '0x10' }, 'admin', now), undefined);
  assert.is(shellSessionOf({ ...env, AWS_SECRET_ACCESS_KEY: 'a b' }, 'admin', now), undefined);
  assert.is(shellSessionOf({ ...env, AWS_SESSION_TOKEN: undefined }, 'admin', now), undefined);
});

Endpoints.run();
