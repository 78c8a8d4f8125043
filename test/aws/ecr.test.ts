import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { rejection } from '../helpers/reject.js';
import { getRegistryLogin } from '../../src/aws/ecr.js';
import { targetFor } from '../../src/aws/endpoint.js';
import { getSessionToken } from '../../src/aws/sts.js';
import { AwsRequestError } from '../../src/errors.js';
import type { SessionKeys } from '../../src/store/credentials.js';
import { startFakeAws, type FakeAws } from '../helpers/aws-endpoint.js';
import { ALICE } from '../helpers/home.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

const Ecr = suite<{ fake: FakeAws; session: SessionKeys }>('aws/ecr: GetAuthorizationToken with the MFA session, decoded for docker login');

Ecr.before.each(async (context) => {
  context.fake = await startFakeAws();
  context.fake.addUser({ ...ALICE });
  const sts = targetFor({ AWS_ENDPOINT_URL: context.fake.url }, 'STS', 'eu-west-1');
  context.session = await getSessionToken(sts, ALICE, { serial: ALICE.mfaSerial, code: ALICE.code, durationSeconds: 3600 });
});
Ecr.after.each(async (context) => {
  await context.fake.close();
});

const failure = (promise: Promise<unknown>) => rejection(promise, AwsRequestError);
const ecrTarget = (fake: FakeAws, region: string) => targetFor({ AWS_ENDPOINT_URL: fake.url, AWS2FA_HTTP_TIMEOUT: '2' }, 'ECR', region);

Ecr('the token decodes to user AWS and the password; the call is signed by the session in the asked region', async ({ fake, session }) => {
  const login = await getRegistryLogin(ecrTarget(fake, 'ap-southeast-2'), session);
  assert.equal(login, { proxyEndpoint: 'https://123456789012.dkr.ecr.ap-southeast-2.amazonaws.com', username: 'AWS', password: fake.ecrPasswords[0]! });
  const [request] = fake.requests.filter((r) => r.service === 'ecr');
  assert.equal([request!.region, request!.accessKeyId, request!.sessionToken, request!.signatureValid], ['ap-southeast-2', session.accessKeyId, session.sessionToken, true]);
});

Ecr('failures are one line naming ECR and never the password', async ({ fake, session }) => {
  fake.injectFault('malformed', { service: 'ecr' });
  assert.match((await failure(getRegistryLogin(ecrTarget(fake, 'eu-west-1'), session))).message, /^ECR at http:\/\/127\.0\.0\.1:\d+ sent an answer that could not be read/);
  fake.clearFaults();
  fake.injectFault('throttle', { service: 'ecr' });
  assert.match((await failure(getRegistryLogin(ecrTarget(fake, 'eu-west-1'), session))).message, /^AWS is throttling ECR requests/);
  fake.clearFaults();
  const unknown = { ...session, accessKeyId: 'ASIAUNKNOWNSESSION00' };
  assert.match((await failure(getRegistryLogin(ecrTarget(fake, 'eu-west-1'), unknown))).message, /^ECR in eu-west-1 does not accept the new session: check that the region is enabled/);
  const nobody = targetFor({ AWS_ENDPOINT_URL: fake.url, AWS_ENDPOINT_URL_ECR: 'http://127.0.0.1:1' }, 'ECR', 'eu-west-1');
  const refused = await failure(getRegistryLogin(nobody, session));
  assert.is(refused.message, `cannot reach ECR at http://127.0.0.1:1 (ECONNREFUSED): check the region name, your network, VPN or AWS_ENDPOINT_URL_ECR`);
});

Ecr.run();
