// The fake AWS endpoint, driven by the real @aws-sdk/client-sts over loopback HTTP (ECR by raw signed requests,
// as @aws-sdk/client-ecr is not installed). If the SDK accepts what it serves, the tool's tests can trust it.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

import { GetCallerIdentityCommand, GetSessionTokenCommand, STSClient, type STSClientConfig } from '@aws-sdk/client-sts';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { rejection } from './helpers/reject.js';
import { callEcr, sendRawRequest, signRawRequest, startFakeAws, type FakeAws, type FakeUser } from './helpers/aws-endpoint.js';

const ALICE: FakeUser = {
  accessKeyId: 'AKIAEXAMPLEALICE0001',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
  mfaSerial: 'arn:aws:iam::123456789012:mfa/alice',
  code: '123456',
};
const BOB: FakeUser = {
  accessKeyId: 'AKIAEXAMPLEBOB000002',
  secretAccessKey: 'bobsecretbobsecretbobsecretbobsecret0000',
  mfaSerial: 'arn:aws:iam::210987654321:mfa/bob',
  code: '654321',
  account: '210987654321',
  userName: 'bob',
};
const MALLORY: FakeUser = {
  accessKeyId: 'AKIAEXAMPLEMALLORY03',
  secretAccessKey: 'mallorymallorymallorymallorymallory00000',
  mfaSerial: 'arn:aws:iam::123456789012:mfa/mallory',
  code: '111111',
  disabled: true,
};

// The fake's clock; the SDK signs with the real one, which the fake does not check.
let clock = new Date('2026-11-23T18:12:00.700Z');
let fake: FakeAws;
const clients: STSClient[] = [];

type Credentials = { accessKeyId: string; secretAccessKey: string; sessionToken?: string };

function sts(credentials: Credentials, extra: Partial<STSClientConfig> = {}): STSClient {
  const client = new STSClient({ region: 'us-east-1', endpoint: fake.url, credentials, maxAttempts: 1, ...extra });
  clients.push(client);
  return client;
}

function keysOf(user: FakeUser): Credentials {
  return { accessKeyId: user.accessKeyId, secretAccessKey: user.secretAccessKey };
}

type SdkError = Error & { $metadata?: { httpStatusCode?: number; attempts?: number }; code?: string };

const rejected = async (promise: Promise<unknown>) => (await rejection(promise, Error)) as SdkError;

async function startSession(user: FakeUser = ALICE, durationSeconds?: number): Promise<Required<Credentials>> {
  const out = await sts(keysOf(user)).send(
    new GetSessionTokenCommand({ SerialNumber: user.mfaSerial, TokenCode: user.code, DurationSeconds: durationSeconds }),
  );
  const c = out.Credentials;
  assert.ok(c?.AccessKeyId && c.SecretAccessKey && c.SessionToken);
  return { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken };
}

function lastRequest() {
  const request = fake.requests.at(-1);
  assert.ok(request, 'a request was recorded');
  return request;
}

const Endpoint = suite('aws-endpoint');

Endpoint.before(async () => {
  fake = await startFakeAws({ now: () => clock });
  for (const user of [ALICE, BOB, MALLORY]) fake.addUser(user);
});

Endpoint.before.each(() => {
  clock = new Date('2026-11-23T18:12:00.700Z');
  fake.clearFaults();
});

Endpoint.after(async () => {
  for (const client of clients) client.destroy();
  await fake.close();
});

Endpoint('GetSessionToken returns fresh session credentials in the shape the SDK parses', async () => {
  const out = await sts(keysOf(ALICE)).send(new GetSessionTokenCommand({ SerialNumber: ALICE.mfaSerial, TokenCode: ALICE.code }));
  const c = out.Credentials;
  assert.ok(c);
  assert.match(c.AccessKeyId ?? '', /^ASIA[A-Z0-9]{16}$/);
  assert.is(c.SecretAccessKey?.length, 40);
  for (const secret of [c.SecretAccessKey ?? '', c.SessionToken ?? '']) {
    for (const special of ['+', '/', '=']) assert.ok(secret.includes(special), `contains ${special}`);
  }
  assert.ok((c.SessionToken?.length ?? 0) >= 300);
  // default 12 hours from the fake's clock, whole seconds
  assert.equal(c.Expiration, new Date('2026-11-24T06:12:00Z'));
  assert.is(out.$metadata.httpStatusCode, 200);

  const session = fake.issued.at(-1);
  assert.ok(session);
  assert.is(session.accessKeyId, c.AccessKeyId);
  assert.is(session.secretAccessKey, c.SecretAccessKey);
  assert.is(session.sessionToken, c.SessionToken);
  assert.is(session.user, ALICE);

  const request = lastRequest();
  assert.is(request.service, 'sts');
  assert.is(request.action, 'GetSessionToken');
  assert.is(request.method, 'POST');
  assert.is(request.path, '/');
  assert.equal(request.params, { Action: 'GetSessionToken', Version: '2011-06-15', SerialNumber: ALICE.mfaSerial, TokenCode: ALICE.code });
  assert.is(request.accessKeyId, ALICE.accessKeyId);
  assert.is(request.sessionToken, undefined);
  assert.is(request.region, 'us-east-1');
  assert.is(request.signatureValid, true);
  assert.is(request.headers['content-type'], 'application/x-www-form-urlencoded');
});

Endpoint('GetSessionToken honours DurationSeconds and rejects values outside 900..129600', async () => {
  const short = await startSession(ALICE, 900);
  assert.equal(fake.issued.at(-1)?.expiration, new Date('2026-11-23T18:27:00Z'));
  assert.is(lastRequest().params['DurationSeconds'], '900');
  assert.ok(short.accessKeyId);

  for (const [duration, constraint] of [
    [899, 'greater than or equal to 900'],
    [129601, 'less than or equal to 129600'],
  ] as const) {
    const error = await rejected(
      sts(keysOf(ALICE)).send(new GetSessionTokenCommand({ SerialNumber: ALICE.mfaSerial, TokenCode: ALICE.code, DurationSeconds: duration })),
    );
    assert.is(error.name, 'ValidationError');
    assert.is(
      error.message,
      `1 validation error detected: Value '${duration}' at 'durationSeconds' failed to satisfy constraint: Member must have value ${constraint}`,
    );
    assert.is(error.$metadata?.httpStatusCode, 400);
  }
});

Endpoint('GetSessionToken with a wrong, missing or foreign MFA code is AccessDenied', async () => {
  const issuedBefore = fake.issued.length;
  for (const input of [
    { SerialNumber: ALICE.mfaSerial, TokenCode: '000000' },
    { SerialNumber: BOB.mfaSerial, TokenCode: ALICE.code },
    { SerialNumber: ALICE.mfaSerial },
    {},
  ]) {
    const error = await rejected(sts(keysOf(ALICE)).send(new GetSessionTokenCommand(input)));
    assert.is(error.name, 'AccessDenied');
    assert.is(error.message, 'MultiFactorAuthentication failed with invalid MFA one time pass code. ');
    assert.is(error.$metadata?.httpStatusCode, 403);
    assert.is(lastRequest().signatureValid, true);
  }
  assert.is(fake.issued.length, issuedBefore, 'no session issued');
});

Endpoint('an unknown or disabled access key is InvalidClientTokenId', async () => {
  for (const credentials of [{ accessKeyId: 'AKIANOBODYKNOWSTHIS0', secretAccessKey: 'whatever' }, keysOf(MALLORY)]) {
    const error = await rejected(sts(credentials).send(new GetCallerIdentityCommand({})));
    assert.is(error.name, 'InvalidClientTokenId');
    assert.is(error.message, 'The security token included in the request is invalid.');
    assert.is(error.$metadata?.httpStatusCode, 403);
    assert.is(lastRequest().accessKeyId, credentials.accessKeyId);
  }
  assert.is(lastRequest().signatureValid, true, 'a disabled key still has a checkable signature');
});

Endpoint('a wrong secret is SignatureDoesNotMatch, and recorded as an invalid signature', async () => {
  const error = await rejected(
    sts({ accessKeyId: ALICE.accessKeyId, secretAccessKey: `${ALICE.secretAccessKey}x` }).send(
      new GetSessionTokenCommand({ SerialNumber: ALICE.mfaSerial, TokenCode: ALICE.code }),
    ),
  );
  assert.is(error.name, 'SignatureDoesNotMatch');
  assert.match(error.message, /^The request signature we calculated does not match the signature you provided\./);
  assert.is(error.$metadata?.httpStatusCode, 403);
  assert.is(lastRequest().signatureValid, false);
  assert.is(lastRequest().action, 'GetSessionToken');
});

Endpoint('a body changed after signing does not verify', async () => {
  const request = await signRawRequest(fake.url, {
    service: 'sts',
    region: 'us-east-1',
    credentials: keysOf(ALICE),
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: 'Action=GetCallerIdentity&Version=2011-06-15',
  });
  const tampered = await sendRawRequest({ ...request, body: 'Action=GetCallerIdentity&Version=2011-06-16' });
  assert.is(tampered.status, 403);
  assert.match(tampered.body, /<Code>SignatureDoesNotMatch<\/Code>/);
  const untouched = await sendRawRequest(request);
  assert.is(untouched.status, 200);
  assert.match(untouched.body, /<Arn>arn:aws:iam::123456789012:user\/alice<\/Arn>/);
});

Endpoint('GetCallerIdentity works with a long-term key and with an issued session key', async () => {
  const direct = await sts(keysOf(BOB)).send(new GetCallerIdentityCommand({}));
  assert.is(direct.Arn, 'arn:aws:iam::210987654321:user/bob');
  assert.is(direct.Account, '210987654321');
  assert.match(direct.UserId ?? '', /^AIDA[A-Z0-9]{17}$/);

  const session = await startSession(BOB);
  const viaSession = await sts(session, { region: 'eu-west-1' }).send(new GetCallerIdentityCommand({}));
  assert.is(viaSession.Arn, direct.Arn);
  assert.is(viaSession.UserId, direct.UserId);

  const request = lastRequest();
  assert.is(request.accessKeyId, session.accessKeyId);
  assert.is(request.sessionToken, session.sessionToken);
  assert.is(request.region, 'eu-west-1');
  assert.is(request.signatureValid, true);
});

Endpoint('a session key needs its own token, cannot start another session, and expires', async () => {
  const session = await startSession(ALICE, 900);

  const withoutToken = await rejected(
    sts({ accessKeyId: session.accessKeyId, secretAccessKey: session.secretAccessKey }).send(new GetCallerIdentityCommand({})),
  );
  assert.is(withoutToken.name, 'InvalidClientTokenId');

  const chained = await rejected(sts(session).send(new GetSessionTokenCommand({ SerialNumber: ALICE.mfaSerial, TokenCode: ALICE.code })));
  assert.is(chained.name, 'AccessDenied');
  assert.is(chained.message, 'Cannot call GetSessionToken with session credentials');

  clock = new Date('2026-11-23T18:27:00Z');
  const expired = await rejected(sts(session).send(new GetCallerIdentityCommand({})));
  assert.is(expired.name, 'ExpiredToken');
  assert.is(expired.$metadata?.httpStatusCode, 403);
});

Endpoint('an endpoint URL with a path is signed and served on that path', async () => {
  const out = await sts(keysOf(ALICE), { endpoint: `${fake.url}/some/prefix` }).send(new GetCallerIdentityCommand({}));
  assert.is(out.Account, '123456789012');
  // the SDK appends a slash to an endpoint path
  assert.is(lastRequest().path, '/some/prefix/');
  assert.is(lastRequest().signatureValid, true);
});

Endpoint('fault 500: the SDK sees InternalFailure with status 500, and retries into success', async () => {
  fake.injectFault('500');
  const error = await rejected(sts(keysOf(ALICE)).send(new GetCallerIdentityCommand({})));
  assert.is(error.name, 'InternalFailure');
  assert.is(error.$metadata?.httpStatusCode, 500);

  fake.clearFaults();
  fake.injectFault('500', { times: 1 });
  const before = fake.requests.length;
  const out = await sts(keysOf(ALICE), { maxAttempts: 2 }).send(new GetCallerIdentityCommand({}));
  assert.is(out.$metadata.attempts, 2);
  assert.is(fake.requests.length - before, 2, 'times counts requests, retries included');
});

Endpoint('fault throttle: Throttling / Rate exceeded, only where service and region match', async () => {
  fake.injectFault('throttle', { service: 'sts', region: 'eu-west-1' });
  const ok = await sts(keysOf(ALICE)).send(new GetCallerIdentityCommand({}));
  assert.is(ok.$metadata.httpStatusCode, 200, 'us-east-1 is not throttled');

  const error = await rejected(sts(keysOf(ALICE), { region: 'eu-west-1' }).send(new GetCallerIdentityCommand({})));
  assert.is(error.name, 'Throttling');
  assert.is(error.message, 'Rate exceeded');
  assert.is(error.$metadata?.httpStatusCode, 400);

  fake.clearFaults();
  fake.injectFault('throttle', { service: 'ecr' });
  const unaffected = await sts(keysOf(ALICE), { region: 'eu-west-1' }).send(new GetCallerIdentityCommand({}));
  assert.is(unaffected.$metadata.httpStatusCode, 200, 'STS is not throttled by an ECR fault');
});

Endpoint('fault reset: the connection is dropped and the SDK rejects', async () => {
  fake.injectFault('reset', { times: 1 });
  const error = await rejected(sts(keysOf(ALICE)).send(new GetCallerIdentityCommand({})));
  // node-http-handler names every dropped connection TimeoutError (so it is retried); the code tells them apart
  assert.is(error.code, 'ECONNRESET');
  assert.is(error.$metadata?.httpStatusCode, undefined, 'no response');
  assert.is(lastRequest().action, 'GetCallerIdentity');
  const after = await sts(keysOf(ALICE)).send(new GetCallerIdentityCommand({}));
  assert.is(after.$metadata.httpStatusCode, 200, 'times: 1 is used up');
});

Endpoint('fault hang: the SDK gives up after its request timeout', async () => {
  fake.injectFault('hang');
  const started = Date.now();
  const error = await rejected(
    sts(keysOf(ALICE), { requestHandler: { requestTimeout: 300, throwOnRequestTimeout: true } }).send(new GetCallerIdentityCommand({})),
  );
  assert.is(error.name, 'TimeoutError');
  assert.is(error.code, 'ETIMEDOUT');
  assert.is(lastRequest().action, 'GetCallerIdentity', 'the hanging request was recorded');
  assert.ok(Date.now() - started < 5000);
});

Endpoint('fault malformed: a 200 with a cut-off document fails to parse', async () => {
  fake.injectFault('malformed');
  const error = await rejected(sts(keysOf(ALICE)).send(new GetSessionTokenCommand({ SerialNumber: ALICE.mfaSerial, TokenCode: ALICE.code })));
  assert.is(error.$metadata?.httpStatusCode, 200);
  assert.match(error.message, /parse|XML/i);
});

Endpoint('ECR GetAuthorizationToken signed with an issued session returns a docker login for that region', async () => {
  const session = await startSession(BOB);
  const before = fake.ecrPasswords.length;
  const response = await callEcr(fake.url, 'GetAuthorizationToken', { region: 'eu-central-1', credentials: session });
  assert.is(response.status, 200);
  assert.is(response.headers.get('content-type'), 'application/x-amz-json-1.1');

  const parsed = JSON.parse(response.body) as {
    authorizationData: Array<{ authorizationToken: string; expiresAt: number; proxyEndpoint: string }>;
  };
  const [data] = parsed.authorizationData;
  assert.ok(data);
  assert.is(data.proxyEndpoint, 'https://210987654321.dkr.ecr.eu-central-1.amazonaws.com');
  assert.is(data.expiresAt, Math.floor(clock.getTime() / 1000) + 12 * 3600);
  const [user, password] = Buffer.from(data.authorizationToken, 'base64').toString('utf8').split(':');
  assert.is(user, 'AWS');
  assert.is(fake.ecrPasswords.length, before + 1);
  assert.is(fake.ecrPasswords.at(-1), password);
  assert.ok((password?.length ?? 0) > 1000);

  const again = await callEcr(fake.url, 'GetAuthorizationToken', { region: 'eu-central-1', credentials: session });
  assert.is(again.status, 200);
  assert.is.not(fake.ecrPasswords.at(-1), password, 'a new password per call');

  const request = lastRequest();
  assert.is(request.service, 'ecr');
  assert.is(request.action, 'GetAuthorizationToken');
  assert.equal(request.params, {});
  assert.is(request.region, 'eu-central-1');
  assert.is(request.sessionToken, session.sessionToken);
  assert.is(request.signatureValid, true);
});

Endpoint('ECR refuses long-term keys and unknown keys as UnrecognizedClientException, in JSON 1.1', async () => {
  for (const credentials of [keysOf(ALICE), { accessKeyId: 'ASIANOBODYKNOWSTHIS0', secretAccessKey: 'x', sessionToken: 'y' }]) {
    const response = await callEcr(fake.url, 'GetAuthorizationToken', { region: 'us-east-1', credentials });
    assert.is(response.status, 400);
    assert.is(response.headers.get('x-amzn-errortype'), 'UnrecognizedClientException');
    assert.equal(JSON.parse(response.body), {
      __type: 'UnrecognizedClientException',
      message: 'The security token included in the request is invalid.',
    });
  }
});

Endpoint('ECR faults are JSON too', async () => {
  const session = await startSession(ALICE);
  fake.injectFault('500', { service: 'ecr', times: 1 });
  fake.injectFault('throttle', { service: 'ecr', times: 1 });
  const failed = await callEcr(fake.url, 'GetAuthorizationToken', { region: 'us-east-1', credentials: session });
  assert.is(failed.status, 500);
  assert.is(JSON.parse(failed.body).__type, 'InternalFailure');
  const throttled = await callEcr(fake.url, 'GetAuthorizationToken', { region: 'us-east-1', credentials: session });
  assert.is(throttled.status, 400);
  assert.is(throttled.headers.get('x-amzn-errortype'), 'ThrottlingException');
  const ok = await callEcr(fake.url, 'GetAuthorizationToken', { region: 'us-east-1', credentials: session });
  assert.is(ok.status, 200);
});

Endpoint.run();
