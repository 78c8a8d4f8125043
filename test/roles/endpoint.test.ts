// The fake endpoint's AssumeRole, driven by the real @aws-sdk/client-sts: what AWS does, so the role tests can
// trust it (trust policy by account or ARN, MFA condition, ExternalId, session name, durations, role chaining).
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

import { AssumeRoleCommand, GetCallerIdentityCommand, GetSessionTokenCommand, STSClient, type AssumeRoleCommandInput } from '@aws-sdk/client-sts';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { rejection } from '../helpers/reject.js';
import { startFakeAws, type FakeAws, type FakeUser } from '../helpers/aws-endpoint.js';
import { ROLE_ARNS, ROLES } from './world.js';

const ALICE: FakeUser = {
  accessKeyId: 'AKIAEXAMPLEALICE0001',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
  mfaSerial: 'arn:aws:iam::123456789012:mfa/alice',
  code: '123456',
  allowWithoutMfa: true,
};
const CAROL: FakeUser = {
  accessKeyId: 'AKIAEXAMPLECAROL0003',
  secretAccessKey: 'carolcarolcarolcarolcarolcarolcarol00000',
  mfaSerial: 'arn:aws:iam::999999999999:mfa/carol',
  code: '222222',
  account: '999999999999',
  userName: 'carol',
};

type Credentials = { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
type SdkError = Error & { $metadata?: { httpStatusCode?: number } };

const Endpoint = suite<{ fake: FakeAws; clients: STSClient[] }>('test endpoint: AssumeRole as AWS answers it');

Endpoint.before.each(async (context) => {
  context.fake = await startFakeAws();
  context.fake.addUser(ALICE);
  context.fake.addUser(CAROL);
  for (const role of ROLES) context.fake.addRole(role);
  context.clients = [];
});
Endpoint.after.each(async (context) => {
  for (const client of context.clients) client.destroy();
  await context.fake.close();
});

function sts(context: { fake: FakeAws; clients: STSClient[] }, credentials: Credentials): STSClient {
  const client = new STSClient({ region: 'us-east-1', endpoint: context.fake.url, credentials, maxAttempts: 1 });
  context.clients.push(client);
  return client;
}

const keysOf = (user: FakeUser): Credentials => ({ accessKeyId: user.accessKeyId, secretAccessKey: user.secretAccessKey });

async function mfaSession(context: { fake: FakeAws; clients: STSClient[] }, withMfa = true): Promise<Credentials> {
  const input = withMfa ? { SerialNumber: ALICE.mfaSerial, TokenCode: ALICE.code } : {};
  const c = (await sts(context, keysOf(ALICE)).send(new GetSessionTokenCommand(input))).Credentials!;
  return { accessKeyId: c.AccessKeyId!, secretAccessKey: c.SecretAccessKey!, sessionToken: c.SessionToken! };
}

const assume = (roleArn: string, extra: Partial<AssumeRoleCommandInput> = {}) =>
  new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: 'alice', ...extra });

async function refusal(call: Promise<unknown>): Promise<SdkError> {
  return (await rejection(call, Error)) as SdkError;
}

Endpoint('an MFA session assumes a role that requires MFA; the answer has Credentials and AssumedRoleUser', async (context) => {
  const session = await mfaSession(context);
  const out = await sts(context, session).send(assume(ROLE_ARNS.admin, { DurationSeconds: 900 }));
  assert.match(out.Credentials!.AccessKeyId!, /^ASIA[A-Z0-9]{16}$/);
  assert.ok(out.Credentials!.SessionToken && out.Credentials!.SecretAccessKey);
  assert.is(out.AssumedRoleUser!.Arn, 'arn:aws:sts::210987654321:assumed-role/admin/alice');
  assert.match(out.AssumedRoleUser!.AssumedRoleId!, /^AROA[A-Z0-9]+:alice$/);
  assert.is(context.fake.assumed.length, 1);
  const request = context.fake.requests.at(-1)!;
  assert.is(request.action, 'AssumeRole');
  assert.is(request.accessKeyId, session.accessKeyId);
  assert.is(request.signatureValid, true);
  const role = out.Credentials!;
  const identity = await sts(context, { accessKeyId: role.AccessKeyId!, secretAccessKey: role.SecretAccessKey!, sessionToken: role.SessionToken! }).send(
    new GetCallerIdentityCommand({}),
  );
  assert.is(identity.Arn, 'arn:aws:sts::210987654321:assumed-role/admin/alice');
  assert.is(identity.Account, '210987654321');
});

Endpoint('trust by user ARN, and by role ARN for a session of that role (a chain)', async (context) => {
  const session = await mfaSession(context);
  await sts(context, session).send(assume(ROLE_ARNS.readonly));
  const admin = (await sts(context, session).send(assume(ROLE_ARNS.admin))).Credentials!;
  const adminKeys = { accessKeyId: admin.AccessKeyId!, secretAccessKey: admin.SecretAccessKey!, sessionToken: admin.SessionToken! };
  const deep = await sts(context, adminKeys).send(assume(ROLE_ARNS.deep));
  assert.is(deep.AssumedRoleUser!.Arn, 'arn:aws:sts::210987654321:assumed-role/deep/alice');
  const direct = await refusal(sts(context, session).send(assume(ROLE_ARNS.deep)));
  assert.is(direct.name, 'AccessDenied', 'deep trusts only the admin role');
});

Endpoint('a role requiring MFA refuses a session made without MFA, and long-term keys without a code', async (context) => {
  const plain = await mfaSession(context, false);
  for (const credentials of [plain, keysOf(ALICE)]) {
    const error = await refusal(sts(context, credentials).send(assume(ROLE_ARNS.admin)));
    assert.is(error.name, 'AccessDenied');
    assert.match(error.message, /^User: arn:aws:iam::123456789012:user\/alice is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::210987654321:role\/admin$/);
    assert.is(error.$metadata?.httpStatusCode, 403);
  }
  const out = await sts(context, keysOf(ALICE)).send(assume(ROLE_ARNS.admin, { SerialNumber: ALICE.mfaSerial, TokenCode: ALICE.code }));
  assert.ok(out.Credentials?.AccessKeyId, 'long-term keys with SerialNumber/TokenCode carry MFA');
  const wrong = await refusal(sts(context, keysOf(ALICE)).send(assume(ROLE_ARNS.admin, { SerialNumber: ALICE.mfaSerial, TokenCode: '000000' })));
  assert.is(wrong.message, 'MultiFactorAuthentication failed with invalid MFA one time pass code. ');
});

Endpoint('an untrusted account, an unknown role and a wrong or missing ExternalId are AccessDenied', async (context) => {
  const carol = await refusal(sts(context, keysOf(CAROL)).send(assume(ROLE_ARNS.partner, { ExternalId: 'ext-42' })));
  assert.is(carol.name, 'AccessDenied');
  const session = await mfaSession(context);
  const unknown = await refusal(sts(context, session).send(assume('arn:aws:iam::210987654321:role/nope')));
  assert.is(unknown.name, 'AccessDenied');
  for (const extra of [{}, { ExternalId: 'ext-41' }]) {
    const error = await refusal(sts(context, session).send(assume(ROLE_ARNS.partner, extra)));
    assert.is(error.name, 'AccessDenied');
  }
  await sts(context, session).send(assume(ROLE_ARNS.partner, { ExternalId: 'ext-42' }));
  assert.is(context.fake.assumed.length, 1);
});

Endpoint('RoleSessionName must be 2–64 of [\\w+=,.@-]', async (context) => {
  const session = await mfaSession(context);
  for (const name of ['a', 'x'.repeat(65), 'alice smith', 'alice/smith']) {
    const error = await refusal(sts(context, session).send(assume(ROLE_ARNS.admin, { RoleSessionName: name })));
    assert.is(error.name, 'ValidationError', name);
    assert.match(error.message, /at 'roleSessionName' failed to satisfy constraint/);
  }
  await sts(context, session).send(assume(ROLE_ARNS.admin, { RoleSessionName: 'a+b=c,d.e@f-g_h' }));
});

Endpoint('durations: the 1-hour limit for chained callers, MaxSessionDuration, 900 at least', async (context) => {
  const session = await mfaSession(context);
  const chained = await refusal(sts(context, session).send(assume(ROLE_ARNS.long, { DurationSeconds: 3601 })));
  assert.is(chained.name, 'ValidationError');
  assert.is(chained.message, 'The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.');
  const mfa = { SerialNumber: ALICE.mfaSerial, TokenCode: ALICE.code };
  const long = await sts(context, keysOf(ALICE)).send(assume(ROLE_ARNS.long, { DurationSeconds: 43200, ...mfa }));
  assert.ok(long.Credentials!.Expiration!.getTime() - Date.now() > 43000 * 1000);
  const above = await refusal(sts(context, keysOf(ALICE)).send(assume(ROLE_ARNS.admin, { DurationSeconds: 7200, ...mfa })));
  assert.is(above.message, 'The requested DurationSeconds exceeds the MaxSessionDuration set for this role.');
  const short = await refusal(sts(context, session).send(assume(ROLE_ARNS.admin, { DurationSeconds: 899 })));
  assert.match(short.message, /at 'durationSeconds' failed to satisfy constraint: Member must have value greater than or equal to 900/);
});

Endpoint('a bad signature is refused as for every call', async (context) => {
  const error = await refusal(sts(context, { accessKeyId: ALICE.accessKeyId, secretAccessKey: 'not-the-secret' }).send(assume(ROLE_ARNS.admin)));
  assert.is(error.name, 'SignatureDoesNotMatch');
  assert.is(context.fake.requests.at(-1)!.signatureValid, false);
  assert.is(context.fake.assumed.length, 0);
});

Endpoint.run();
