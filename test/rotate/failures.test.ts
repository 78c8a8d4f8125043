import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateAccessKeyCommand, DeleteAccessKeyCommand, IAMClient, ListAccessKeysCommand } from '@aws-sdk/client-iam';
import { GetSessionTokenCommand, STSClient } from '@aws-sdk/client-sts';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { shortKey } from '../../src/aws/failures.js';
import { cleanEnv } from '../helpers/cli.js';
import { iamErrorReply } from '../helpers/fake-iam.js';
import { ALICE } from '../helpers/home.js';
import { startBinary } from '../helpers/processes.js';
import { makeWorld, type World } from '../helpers/world.js';
import { filesKey, keyWorks, reached } from './helpers.js';

// The endpoint's IAM in AWS's own shapes (the real SDK parses its answers and errors), and rotate's failures
// after the new key exists: the new key is never left unaccounted for.
const Failures = suite<{ world: World; events: string }>('rotate/failures: IAM as AWS answers, and failures after CreateAccessKey');

Failures.before.each(async (context) => {
  context.world = await makeWorld();
  context.events = await mkdtemp(join(tmpdir(), 'aws2fa-rotate-events-'));
});
Failures.after.each(async (context) => {
  await context.world.remove();
  await rm(context.events, { recursive: true, force: true });
});

function iam(world: World, credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string }) {
  return new IAMClient({ region: 'us-east-1', endpoint: world.fake.url, credentials, maxAttempts: 1 });
}

async function mfaSession(world: World) {
  const sts = new STSClient({ region: 'us-east-1', endpoint: world.fake.url, credentials: ALICE, maxAttempts: 1 });
  const answer = await sts.send(new GetSessionTokenCommand({ SerialNumber: ALICE.mfaSerial, TokenCode: ALICE.code, DurationSeconds: 900 }));
  sts.destroy();
  const c = answer.Credentials!;
  return { accessKeyId: c.AccessKeyId!, secretAccessKey: c.SecretAccessKey!, sessionToken: c.SessionToken! };
}

async function failure(call: Promise<unknown>): Promise<{ name: string; message: string; status: number | undefined }> {
  try {
    await call;
  } catch (error) {
    const e = error as { name: string; message: string; $metadata?: { httpStatusCode?: number } };
    return { name: e.name, message: e.message, status: e.$metadata?.httpStatusCode };
  }
  throw new Error('the call did not fail');
}

Failures('the fake IAM as the SDK reads it: the MFA deny, keys listed, LimitExceeded for a third, NoSuchEntity, deleted keys refused by STS', async ({ world }) => {
  const plain = iam(world, ALICE);
  assert.equal(await failure(plain.send(new ListAccessKeysCommand({}))), {
    name: 'AccessDenied',
    message: 'User: arn:aws:iam::123456789012:user/alice is not authorized to perform: iam:ListAccessKeys on resource: user alice with an explicit deny in an identity-based policy',
    status: 403,
  });
  plain.destroy();
  const client = iam(world, await mfaSession(world));
  const listed = await client.send(new ListAccessKeysCommand({}));
  assert.equal(listed.AccessKeyMetadata, [{ UserName: 'alice', AccessKeyId: ALICE.accessKeyId, Status: 'Active', CreateDate: new Date('2025-01-15T10:00:00Z') }]);
  assert.is(listed.IsTruncated, false);
  const created = await client.send(new CreateAccessKeyCommand({}));
  assert.match(created.AccessKey!.AccessKeyId!, /^AKIA[A-Z0-9]{16}$/);
  assert.is(created.AccessKey!.UserName, 'alice');
  assert.is(created.AccessKey!.Status, 'Active');
  assert.equal(await failure(client.send(new CreateAccessKeyCommand({}))), { name: 'LimitExceededException', message: 'Cannot exceed quota for AccessKeysPerUser: 2', status: 409 });
  assert.equal(await failure(client.send(new DeleteAccessKeyCommand({ AccessKeyId: 'AKIANOSUCHKEY0000000' }))), {
    name: 'NoSuchEntityException',
    message: 'The Access Key with id AKIANOSUCHKEY0000000 cannot be found.',
    status: 404,
  });
  await client.send(new DeleteAccessKeyCommand({ UserName: 'alice', AccessKeyId: ALICE.accessKeyId }));
  client.destroy();
  assert.not.ok(await keyWorks(world.fake, ALICE));
  assert.ok(await keyWorks(world.fake, { accessKeyId: created.AccessKey!.AccessKeyId!, secretAccessKey: created.AccessKey!.SecretAccessKey! }));
  assert.ok(world.fake.requests.filter((request) => request.service === 'iam').every((request) => request.params.Version === '2010-05-08'));
});

// Holds the run at a point and lets the test act before it goes on.
async function heldAt(world: World, events: string, point: string, act: () => Promise<void>) {
  const env = cleanEnv(world.home, { AWS_ENDPOINT_URL: world.fake.url, AWS2FA_TEST_EVENTS: events, AWS2FA_TEST_PAUSE_AT: point });
  const event = reached(events, point);
  const running = startBinary(['rotate', 'prod', ALICE.code], env);
  const file = await event.seen;
  event.close();
  try {
    await act();
  } finally {
    await writeFile(`${file}.go`, '');
  }
  return running.exited;
}

Failures('the key moved while IAM made the new one (aws configure set): nothing written, the new key deleted again', async ({ world, events }) => {
  const other = world.fake.iam.addKey(ALICE);
  world.fake.iam.removeKey(other.accessKeyId);
  const replaced = (await world.read(world.credentials)).replace(ALICE.accessKeyId, other.accessKeyId).replace(ALICE.secretAccessKey, other.secretAccessKey);
  const exit = await heldAt(world, events, 'rotate-after-create', () => world.writeCredentials(replaced));
  assert.is(exit.status, 1);
  const created = world.fake.iam.created[0]!;
  assert.is(
    exit.stderr,
    `aws2fa: could not write the new key to ${world.credentials}: the long-term key of prod in ${world.credentials} changed while rotate ran (it is no longer ${ALICE.accessKeyId}); nothing was written there; the new key was deleted again: nothing changed\n`,
  );
  assert.is(await world.read(world.credentials), replaced);
  assert.ok(world.fake.iam.deleted.includes(created.accessKeyId));
  assert.equal((await readdir(world.aws)).filter((name) => name.includes('aws2fa')), []);
});

Failures('the new key could not be written nor deleted again: status names it with the command that deletes it; rotate creates nothing while two keys exist', async ({ world, events }) => {
  const other = world.fake.iam.addKey(ALICE);
  world.fake.iam.removeKey(other.accessKeyId);
  const replaced = (await world.read(world.credentials)).replace(ALICE.accessKeyId, other.accessKeyId).replace(ALICE.secretAccessKey, other.secretAccessKey);
  const exit = await heldAt(world, events, 'rotate-after-create', async () => {
    await world.writeCredentials(replaced);
    world.fake.injectReply(iamErrorReply(500, 'ServiceFailure', 'Request processing has failed due to an unknown error.'), { service: 'iam' });
  });
  world.fake.clearFaults();
  assert.is(exit.status, 1);
  const created = world.fake.iam.created[0]!;
  assert.match(exit.stderr, `the new key ${created.accessKeyId} could not be deleted again (`);
  assert.match(exit.stderr, `): delete it with aws2fa exec prod -- aws iam delete-access-key --user-name alice --access-key-id ${created.accessKeyId}\n`);
  // Put the user's key back, as if aws configure set had not happened: the files hold the old key again.
  await world.writeCredentials(replaced.replace(other.accessKeyId, ALICE.accessKeyId).replace(other.secretAccessKey, ALICE.secretAccessKey));
  const status = await world.aws2fa(['status']);
  assert.match(
    status.stdout,
    `the rotation of prod's key did not finish: the new key ${created.accessKeyId} never reached ${world.credentials} and cannot be used; delete it with aws2fa exec prod -- aws iam delete-access-key --user-name alice --access-key-id ${created.accessKeyId}\n`,
  );
  const json = JSON.parse((await world.aws2fa(['status', '--json'])).stdout) as { unfinishedRotations: Array<{ profile: string; state: string; newKey: string }> };
  assert.equal(json.unfinishedRotations.map(({ profile, state, newKey }) => ({ profile, state, newKey })), [{ profile: 'prod', state: 'new-key-unsaved', newKey: created.accessKeyId }]);
  const again = await world.aws2fa(['rotate', 'prod', ALICE.code]);
  assert.is(again.status, 1);
  assert.match(again.stderr, `alice's key ${created.accessKeyId} (Active, created `);
  assert.match(again.stderr, 'was made by an interrupted aws2fa rotate');
  assert.is(world.fake.iam.created.length, 1);
  assert.ok(await keyWorks(world.fake, filesKey(await world.read(world.credentials))));
});

Failures('DeleteAccessKey of the old key refused: the new key is in the file and works, one line says to run rotate again, which finishes', async ({ world, events }) => {
  const exit = await heldAt(world, events, 'rotate-before-delete', async () => {
    world.fake.injectReply(iamErrorReply(403, 'AccessDenied', 'User: arn:aws:iam::123456789012:user/alice is not authorized to perform: iam:DeleteAccessKey'), { service: 'iam', times: 1 });
  });
  assert.is(exit.status, 1);
  const created = world.fake.iam.created[0]!;
  assert.is(
    exit.stderr,
    `aws2fa: rotated alice's key ${shortKey(ALICE.accessKeyId)} → ${shortKey(created.accessKeyId)}: ${world.credentials} holds the new key and it works, but the old key is still active: ` +
      `IAM refused DeleteAccessKey with the MFA session: User: arn:aws:iam::123456789012:user/alice is not authorized to perform: iam:DeleteAccessKey; the IAM user needs iam:DeleteAccessKey on itself (with MFA); run aws2fa rotate prod again to delete it\n`,
  );
  assert.is(filesKey(await world.read(world.credentials)).accessKeyId, created.accessKeyId);
  const again = await world.aws2fa(['rotate', 'prod', ALICE.code]);
  assert.is(again.status, 0, again.stderr);
  assert.match(again.stdout, /^finished the interrupted rotation: /);
  assert.equal(world.fake.iam.keysOf().map((key) => key.accessKeyId), [created.accessKeyId]);
});

Failures('an IAM answer that is not a key (hostile endpoint): refused, nothing written', async ({ world }) => {
  const before = await world.snapshot();
  const listed = world.fake.nextRequest({ service: 'iam' }).then(() =>
    world.fake.injectReply((response) => {
      const body = `<CreateAccessKeyResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><CreateAccessKeyResult><AccessKey><UserName>alice</UserName><AccessKeyId>AKIA$(reboot)000000000</AccessKeyId><Status>Active</Status><SecretAccessKey>secret with spaces\nand lines</SecretAccessKey></AccessKey></CreateAccessKeyResult></CreateAccessKeyResponse>`;
      response.writeHead(200, { 'content-type': 'text/xml', 'content-length': Buffer.byteLength(body) });
      response.end(body);
    }, { service: 'iam', times: 1 }),
  );
  const result = await world.aws2fa(['rotate', 'prod', ALICE.code]);
  await listed;
  assert.is(result.status, 1);
  assert.match(result.stderr, /^aws2fa: IAM at http:\/\/127\.0\.0\.1:\d+ answered CreateAccessKey with an access key id that is not AKIA and 16 capitals or digits; refusing it/);
  assert.equal(await world.snapshot(), before);
});

Failures('AWS_ENDPOINT_URL_IAM wins over AWS_ENDPOINT_URL for IAM; STS stays where it was', async ({ world }) => {
  const result = await world.aws2fa(['rotate', 'prod', ALICE.code], { env: { AWS_ENDPOINT_URL: 'http://127.0.0.1:9', AWS_ENDPOINT_URL_STS: world.fake.url, AWS_ENDPOINT_URL_IAM: world.fake.url } });
  assert.is(result.status, 0, result.stderr);
  const bad = await world.aws2fa(['rotate', 'prod', ALICE.code], { env: { AWS_ENDPOINT_URL_IAM: 'ftp://nowhere' } });
  assert.is(bad.status, 1);
  assert.match(bad.stderr, /^aws2fa: AWS_ENDPOINT_URL_IAM=ftp:\/\/nowhere is not an https:\/\/ or http:\/\/ URL/);
});

Failures.run();
