import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { startCredentialServer } from '../../src/server/credential-server.js';
import { servedSession, type Served } from '../../src/server/served-session.js';
import type { SessionKeys } from '../../src/store/credentials.js';
import { findTool } from '../helpers/tools.js';

// What the server hands out at each request, on a clock the test moves: renewal below 15 minutes, failures, the end.
const Served = suite('exec --server: which session is served, and what is said when none is left');

const START = Date.parse('2026-12-07T08:00:00Z');
function clock() {
  let now = START;
  return { now: () => new Date(now), advance: (seconds: number) => (now += seconds * 1000) };
}
let made = 0;
function session(expiresAt: number): SessionKeys {
  made += 1;
  return { accessKeyId: `ASIA${String(made).padStart(16, '0')}`, secretAccessKey: `secret${made}`, sessionToken: `token${made}`, expiration: new Date(expiresAt) };
}
const keyOf = (served: Served) => ('keys' in served ? served.keys.accessKeyId : served);
const minutes = (n: number) => START + n * 60_000;

Served('a role session is served as it is while it has 15 minutes left, and renewed first when it has less', async () => {
  const time = clock();
  const first = session(minutes(60));
  const renewed: SessionKeys[] = [];
  const serve = servedSession({ profile: 'admin', first, rootExpiration: new Date(minutes(720)), now: time.now, renew: async () => (renewed.push(session(time.now().getTime() + 3600_000)), renewed.at(-1)!) });
  assert.is(keyOf(await serve()), first.accessKeyId);
  time.advance(45 * 60); // exactly 15 minutes left
  assert.is(keyOf(await serve()), first.accessKeyId);
  assert.is(renewed.length, 0);
  time.advance(1);
  assert.is(keyOf(await serve()), renewed[0]!.accessKeyId);
  assert.is(keyOf(await serve()), renewed[0]!.accessKeyId);
  assert.is(renewed.length, 1);
});

Served('requests that arrive while a renewal runs wait for that one renewal', async () => {
  const time = clock();
  let calls = 0;
  let finish!: (keys: SessionKeys) => void;
  const serve = servedSession({ profile: 'admin', first: session(minutes(10)), rootExpiration: new Date(minutes(720)), now: time.now, renew: () => (calls++, new Promise((resolve) => (finish = resolve))) });
  const asked = [serve(), serve(), serve()];
  await Promise.resolve();
  const next = session(minutes(70));
  finish(next);
  assert.equal((await Promise.all(asked)).map(keyOf), [next.accessKeyId, next.accessKeyId, next.accessKeyId]);
  assert.is(calls, 1);
});

Served('a failed renewal: the session in hand is served while it lasts, tried again after a minute, and once expired the answer names the profile, the reason and what to do', async () => {
  const time = clock();
  const first = session(minutes(10));
  let calls = 0;
  const serve = servedSession({
    profile: 'admin',
    first,
    rootExpiration: new Date(minutes(720)),
    now: time.now,
    renew: async () => {
      calls += 1;
      throw new Error('STS at https://sts.example refused:\n\u001b[31mThrottling');
    },
  });
  assert.is(keyOf(await serve()), first.accessKeyId);
  assert.is(keyOf(await serve()), first.accessKeyId);
  assert.is(calls, 1, 'not again at once');
  time.advance(61);
  assert.is(keyOf(await serve()), first.accessKeyId);
  assert.is(calls, 2, 'again after a minute');
  time.advance(10 * 60);
  assert.equal(await serve(), { failed: 'aws2fa could not renew the session of admin (STS at https://sts.example refused: Throttling); run aws2fa exec --server admin again' });
});

Served('once the root session has ended nothing is assumed: the last role session is served while it lasts, then the answer says the MFA session ended', async () => {
  const time = clock();
  const first = session(minutes(50));
  let calls = 0;
  const serve = servedSession({ profile: 'admin', first, rootExpiration: new Date(minutes(40)), now: time.now, renew: async () => (calls++, session(minutes(200))) });
  time.advance(41 * 60);
  assert.is(keyOf(await serve()), first.accessKeyId);
  time.advance(10 * 60);
  assert.equal(await serve(), { ended: 'the MFA session behind admin ended at 2026-12-07T08:40:00Z; run aws2fa exec --server admin again' });
  assert.is(calls, 0);
});

Served('a plain profile serves its MFA session to its last second, then says it ended', async () => {
  const time = clock();
  const first = session(minutes(30));
  const serve = servedSession({ profile: 'base', first, rootExpiration: first.expiration, now: time.now });
  time.advance(29 * 60 + 59);
  assert.is(keyOf(await serve()), first.accessKeyId);
  time.advance(1);
  assert.equal(await serve(), { ended: 'the MFA session of base ended at 2026-12-07T08:30:00Z; run aws2fa exec --server base again' });
});

Served('the AWS CLI v2 shows the server\'s answer when the session has ended: the profile and what to do', async () => {
  const aws = findTool('AWS CLI v2', ['/usr/bin/aws']);
  if (!aws) return;
  const message = 'the MFA session of base ended at 2026-12-07T08:30:00Z; run aws2fa exec --server base again';
  const server = await startCredentialServer('token-of-this-test', async () => ({ ended: message }));
  const home = await mkdtemp(join(tmpdir(), 'aws2fa-served-'));
  try {
    await writeFile(join(home, 'credentials'), '', { mode: 0o600 });
    const env = {
      PATH: '/usr/bin:/bin',
      HOME: home,
      AWS_EC2_METADATA_DISABLED: 'true',
      AWS_SHARED_CREDENTIALS_FILE: join(home, 'credentials'),
      AWS_CONFIG_FILE: join(home, 'config'),
      AWS_CONTAINER_CREDENTIALS_FULL_URI: server.url,
      AWS_CONTAINER_AUTHORIZATION_TOKEN: 'token-of-this-test',
    };
    const result = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      execFile(aws, ['sts', 'get-caller-identity', '--region', 'us-east-1', '--endpoint-url', 'http://127.0.0.1:9'], { env }, (error, _stdout, stderr) =>
        resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stderr }),
      );
    });
    assert.is.not(result.code, 0);
    assert.ok(result.stderr.includes(message), result.stderr);
  } finally {
    await server.close();
    await rm(home, { recursive: true, force: true });
  }
});

Served.run();
