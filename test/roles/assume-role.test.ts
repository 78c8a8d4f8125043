// src/aws/assume-role.ts against the test endpoint: one line per refusal, naming the profile and the role.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { assumeRole } from '../../src/aws/assume-role.js';
import { targetFor } from '../../src/aws/endpoint.js';
import { getSessionToken } from '../../src/aws/sts.js';
import { AwsRequestError } from '../../src/errors.js';
import { startFakeAws, type FakeAws } from '../helpers/aws-endpoint.js';
import { ALICE } from '../helpers/home.js';
import { rejection } from '../helpers/reject.js';
import { ROLE_ARNS, ROLES } from './world.js';

const Assume = suite<{ fake: FakeAws }>('aws/assume-role: AssumeRole and its refusals');

Assume.before.each(async (context) => {
  context.fake = await startFakeAws();
  context.fake.addUser({ ...ALICE });
  for (const role of ROLES) context.fake.addRole(role);
});
Assume.after.each(async (context) => {
  await context.fake.close();
});

const target = (fake: FakeAws) => targetFor({ AWS_ENDPOINT_URL: fake.url }, 'STS', 'us-east-1');
const request = (roleArn: string, durationSeconds: number) => ({ profile: 'p', roleArn, sessionName: 'alice', durationSeconds });

Assume('a session over an hour from a session is the role-chaining limit, in one line', async ({ fake }) => {
  const session = await getSessionToken(target(fake), ALICE, { serial: ALICE.mfaSerial, code: ALICE.code, durationSeconds: 43200 });
  const error = await rejection(assumeRole(target(fake), session, request(ROLE_ARNS.long, 7200)), AwsRequestError);
  assert.is(
    error.message,
    `AWS limits role ${ROLE_ARNS.long} (profile p) to 1 hour (3600 s) when assumed from another session (role chaining), and 7200 s were asked: use --duration 3600 or less`,
  );
  const keys = await assumeRole(target(fake), session, request(ROLE_ARNS.long, 3600));
  assert.is(keys.accessKeyId, fake.assumed[0]!.accessKeyId);
  assert.is(keys.sessionToken, fake.assumed[0]!.sessionToken);
  assert.equal(keys.expiration, fake.assumed[0]!.expiration);
});

Assume('a wrong code with the long-term keys is the MFA message, not the trust policy', async ({ fake }) => {
  const error = await rejection(
    assumeRole(target(fake), ALICE, { ...request(ROLE_ARNS.admin, 3600), mfa: { serial: ALICE.mfaSerial, code: '000000' } }),
    AwsRequestError,
  );
  assert.match(error.message, /^AWS rejected the MFA code for arn:aws:iam::123456789012:mfa\/alice: wait for the next code/);
});

Assume.run();
