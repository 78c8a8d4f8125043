import { randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { World } from '../helpers/world.js';
import { actions, makeRolesWorld } from '../roles/world.js';
import { filesState, linesOf, runConsole } from './world.js';

// GetFederationToken's answer is hostile input like every STS answer: checked before anything reaches the sign-in
// endpoint or the screen.
const Answers = suite<{ world: World }>('console: GetFederationToken answers are checked as every STS answer');

Answers.before.each(async (context) => {
  context.world = await makeRolesWorld();
});
Answers.after.each(async (context) => {
  await context.world.remove();
});

const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

// A GetFederationToken answer in AWS's shape, carrying these values.
function federationAnswer(values: { accessKeyId: string; secretAccessKey: string; sessionToken: string; expiration: string }) {
  return (response: ServerResponse, call: { action: string }) => {
    const body =
      call.action !== 'GetFederationToken'
        ? ''
        : `<GetFederationTokenResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">\n  <GetFederationTokenResult>\n    <Credentials>\n` +
          `      <SessionToken>${values.sessionToken}</SessionToken>\n      <SecretAccessKey>${values.secretAccessKey}</SecretAccessKey>\n` +
          `      <Expiration>${values.expiration}</Expiration>\n      <AccessKeyId>${values.accessKeyId}</AccessKeyId>\n    </Credentials>\n` +
          `    <FederatedUser>\n      <Arn>arn:aws:sts::123456789012:federated-user/alice</Arn>\n      <FederatedUserId>123456789012:alice</FederatedUserId>\n    </FederatedUser>\n` +
          `    <PackedPolicySize>6</PackedPolicySize>\n  </GetFederationTokenResult>\n  <ResponseMetadata>\n    <RequestId>${randomUUID()}</RequestId>\n  </ResponseMetadata>\n</GetFederationTokenResponse>\n`;
    response.writeHead(200, { 'content-type': 'text/xml', 'content-length': Buffer.byteLength(body) });
    response.end(body);
  };
}

const good = () => ({ accessKeyId: 'ASIAQWERTYUIOP123456', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYzEXAMPLE=', sessionToken: 'IQoJb3JpZ2luX2VjEPr//////////wEaCXVzLWVhc3QtMSJHMEUCIQ==', expiration: iso(Date.now() + 3600_000) });

Answers('a hostile GetFederationToken answer: one line, nothing sent to the sign-in endpoint, nothing printed, files unchanged', async ({ world }) => {
  for (const [change, problem] of [
    [{ accessKeyId: 'ASIA#X;y' }, 'with an access key id that is not ASIA or AKIA and 16 capitals or digits'],
    [{ sessionToken: 'IQo&#27;]0;owned&#7;' }, 'with a session token that is not printable ASCII without spaces'],
    [{ expiration: '1969-12-31T23:59:59Z' }, 'with a session that has already expired (check the clock of this machine)'],
  ] as const) {
    const before = await filesState(world);
    world.fake.requests.length = 0;
    const result = await consoleWithFederationAnswer(world, federationAnswer({ ...good(), ...change }));
    assert.equal([result.status, result.stdout], [1, '']);
    assert.equal(linesOf(result.stderr), [`aws2fa: STS at ${world.fake.url} answered ${problem}; refusing it, nothing was written: try again, and check AWS_ENDPOINT_URL`]);
    assert.equal(world.fake.signin.requests, []);
    assert.equal(await filesState(world), before);
  }
});

// The reply must meet GetFederationToken, not the GetCallerIdentity before it: each answer is held until the test
// has seen the request, and the reply is given while GetFederationToken waits.
async function consoleWithFederationAnswer(world: World, reply: Parameters<World['fake']['injectReply']>[0]) {
  const { fake } = world;
  const identityHeld = fake.holdAnswers({ service: 'sts' });
  const identity = fake.nextRequest({ service: 'sts' });
  const running = runConsole(world, ['console', 'base']);
  await identity;
  const federationHeld = fake.holdAnswers({ service: 'sts' });
  const federation = fake.nextRequest({ service: 'sts' });
  identityHeld.release();
  await federation;
  assert.equal(actions(world), ['GetCallerIdentity', 'GetFederationToken']);
  fake.injectReply(reply, { service: 'sts', times: 1 });
  federationHeld.release();
  return running;
}

Answers.run();
