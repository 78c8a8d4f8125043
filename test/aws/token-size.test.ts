import { randomUUID } from 'node:crypto';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { sessionTokenAnswer, type CustomReply } from '../helpers/aws-endpoint.js';
import { ALICE } from '../helpers/home.js';
import { leftovers } from '../helpers/processes.js';
import { makeWorld, type World } from '../helpers/world.js';
import { makeRolesWorld, ROLE_ARNS } from '../roles/world.js';

// Issue 17: a session token too long for the kernel to pass in the environment (900 KB fits under the 1 MiB answer
// limit) would make every later command of the shell fail with "Argument list too long". Over 64 KiB it is refused
// like any malformed answer: one line, nothing printed for the shell, nothing written.
const TokenSize = suite<{ world: World }>('aws: a session token over 64 KiB is refused before anything is printed or written');

TokenSize.after.each(async (context) => {
  await context.world.remove();
});

const KIB = 1024;
const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
const answer = (sessionToken: string) => ({
  accessKeyId: 'ASIAQWERTYUIOP123456',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYzEXAMPLE=',
  sessionToken,
  expiration: iso(Date.now() + 3600_000),
});
const token = (bytes: number) => 'IQoJ'.padEnd(bytes, 'A');

// An AssumeRole answer in STS's shape carrying this token: the role tests' endpoint hands out short ones.
function assumeRoleAnswer(sessionToken: string): CustomReply {
  return (response) => {
    const values = answer(sessionToken);
    const body =
      `<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">\n  <AssumeRoleResult>\n    <Credentials>\n` +
      `      <SessionToken>${values.sessionToken}</SessionToken>\n      <SecretAccessKey>${values.secretAccessKey}</SecretAccessKey>\n` +
      `      <Expiration>${values.expiration}</Expiration>\n      <AccessKeyId>${values.accessKeyId}</AccessKeyId>\n    </Credentials>\n` +
      `    <AssumedRoleUser>\n      <AssumedRoleId>AROAEXAMPLEEXAMPLE12:alice</AssumedRoleId>\n` +
      `      <Arn>arn:aws:sts::210987654321:assumed-role/admin/alice</Arn>\n    </AssumedRoleUser>\n  </AssumeRoleResult>\n` +
      `  <ResponseMetadata>\n    <RequestId>${randomUUID()}</RequestId>\n  </ResponseMetadata>\n</AssumeRoleResponse>\n`;
    response.writeHead(200, { 'content-type': 'text/xml', 'content-length': Buffer.byteLength(body) });
    response.end(body);
  };
}

const REFUSED = (world: World) =>
  `aws2fa: STS at ${world.fake.url} answered with a session token over 64 KiB (a shell could not pass it on to any command); ` +
  `refusing it, nothing was written: try again, and check AWS_ENDPOINT_URL\n`;

async function expectRefused(world: World, runs: string[][]): Promise<void> {
  const before = await world.snapshot();
  for (const argv of runs) {
    const result = await world.aws2fa(argv);
    assert.is(result.status, 1, `${argv.join(' ')}: ${result.stderr}`);
    assert.is(result.stdout, '', `${argv.join(' ')}: nothing for the shell to eval`);
    assert.is(result.stderr, REFUSED(world), argv.join(' '));
  }
  assert.equal(await world.snapshot(), before, 'both files byte-identical');
  assert.equal(await leftovers(world.aws), []);
}

for (const size of [64 * KIB + 1, 900 * KIB]) {
  TokenSize(`GetSessionToken answers a ${size}-byte token: env login and login refuse it, nothing printed or written`, async (context) => {
    const world = (context.world = await makeWorld());
    world.fake.injectReply(sessionTokenAnswer(answer(token(size))), { service: 'sts' });
    await expectRefused(world, [['env', 'login', 'prod', ALICE.code, '--shell', 'bash'], ['login', 'prod', ALICE.code]]);
  });

  TokenSize(`AssumeRole answers a ${size}-byte token: env login and login of a role refuse it, nothing printed or written`, async (context) => {
    const world = (context.world = await makeRolesWorld());
    assert.is((await world.aws2fa(['login', 'base', ALICE.code])).status, 0, 'the root logged in: the role needs no GetSessionToken');
    world.fake.injectReply(assumeRoleAnswer(token(size)), { service: 'sts' });
    await expectRefused(world, [['env', 'login', 'admin', '--shell', 'bash'], ['login', 'admin']]);
    assert.ok(world.fake.requests.filter((request) => request.action === 'AssumeRole').length >= 2, 'both asked AssumeRole');
  });
}

TokenSize('a token of exactly 64 KiB is taken as sent', async (context) => {
  const world = (context.world = await makeWorld());
  world.fake.injectReply(sessionTokenAnswer(answer(token(64 * KIB))), { service: 'sts', times: 1 });
  const result = await world.aws2fa(['env', 'login', 'prod', ALICE.code, '--shell', 'bash']);
  assert.is(result.status, 0, result.stderr);
  assert.ok(result.stdout.includes(`export AWS_SESSION_TOKEN='${token(64 * KIB)}'`));
});

TokenSize.run();
