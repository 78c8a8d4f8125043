import { createServer as createNetServer, type Server as NetServer, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ALICE } from '../helpers/home.js';
import type { World } from '../helpers/world.js';
import { actions, makeRolesWorld } from '../roles/world.js';
import { filesState, linesOf, runConsole } from './world.js';

// The sign-in endpoint is the network: unreachable, silent, huge, malformed or hostile answers are one line each,
// within the time bound, with control characters and an endpoint's user:password kept off the screen.
interface Context {
  world: World;
  before: Awaited<ReturnType<typeof filesState>>;
  servers: NetServer[];
  sockets: Socket[];
}
const Faults = suite<Context>('console: what the sign-in endpoint can do wrong');

Faults.before.each(async (context) => {
  context.world = await makeRolesWorld();
  context.before = await filesState(context.world);
  context.servers = [];
  context.sockets = [];
});
Faults.after.each(async (context) => {
  assert.equal(await filesState(context.world), context.before, 'no file written');
  for (const socket of context.sockets) socket.destroy();
  await Promise.all(context.servers.map((server) => new Promise((done) => server.close(done))));
  await context.world.remove();
});

// A raw HTTP endpoint that answers every request with `answer` (the request's bytes are read and dropped), or never.
async function rawEndpoint(context: Context, answer: string | Buffer | null): Promise<string> {
  const server = createNetServer((socket) => {
    context.sockets.push(socket);
    socket.on('error', () => undefined);
    socket.once('data', () => {
      if (answer !== null) socket.end(answer);
    });
  });
  context.servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function closedPort(): Promise<string> {
  const server = createNetServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((done) => server.close(done));
  return `http://127.0.0.1:${port}`;
}

async function expectOneLine(world: World, env: Record<string, string>, line: string | RegExp): Promise<string> {
  const result = await runConsole(world, ['console', 'admin', ALICE.code], { env });
  assert.equal([result.status, result.stdout], [1, ''], result.stderr);
  const lines = linesOf(result.stderr);
  assert.is(lines.length, 1, result.stderr);
  if (typeof line === 'string') assert.is(lines[0], line);
  else assert.match(lines[0]!, line);
  assert.not.match(result.stderr, /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/, 'no control characters');
  // The role was assumed (the code is spent) and the session was offered to the endpoint under test only.
  assert.equal(actions(world), ['GetSessionToken', 'AssumeRole']);
  assert.equal(world.fake.signin.requests, []);
  return result.stderr;
}

const http = (status: string, headers: string[], body: string) => `HTTP/1.1 ${status}\r\n${[...headers, `Content-Length: ${Buffer.byteLength(body)}`, 'Connection: close'].join('\r\n')}\r\n\r\n${body}`;

Faults('unreachable: names the endpoint and the variable it came from', async ({ world }) => {
  const dead = await closedPort();
  await expectOneLine(world, { AWS_ENDPOINT_URL_SIGNIN: dead }, `aws2fa: cannot reach the AWS sign-in endpoint at ${dead} (ECONNREFUSED): check your network, VPN or AWS_ENDPOINT_URL_SIGNIN`);
});

Faults('user:password in the endpoint URL is masked in the message', async ({ world }) => {
  const dead = await closedPort();
  const stderr = await expectOneLine(world, { AWS_ENDPOINT_URL_SIGNIN: dead.replace('http://', 'http://ops:hunter2-secret@') }, /cannot reach the AWS sign-in endpoint at http:\/\/\*\*\*@127\.0\.0\.1:\d+ \(ECONNREFUSED\)/);
  assert.not.ok(stderr.includes('hunter2'));
});

Faults('AWS_ENDPOINT_URL_SIGNIN wins over AWS_ENDPOINT_URL, which is used without it', async ({ world }) => {
  const dead = await closedPort();
  const env = { AWS_ENDPOINT_URL: dead, AWS_ENDPOINT_URL_STS: world.fake.url };
  const through = await runConsole(world, ['console', 'admin', ALICE.code], { env: { ...env, AWS_ENDPOINT_URL_SIGNIN: world.fake.url } });
  assert.is(through.status, 0, through.stderr);
  assert.is(world.fake.signin.requests.length, 1);
  const without = await runConsole(world, ['console', 'admin', ALICE.code], { env });
  assert.equal([without.status, without.stdout], [1, '']);
  assert.equal(linesOf(without.stderr), [`aws2fa: cannot reach the AWS sign-in endpoint at ${dead} (ECONNREFUSED): check your network, VPN or AWS_ENDPOINT_URL`]);
});

Faults('an endpoint URL that is not http(s): refused before any request', async ({ world }) => {
  const result = await runConsole(world, ['console', 'admin', ALICE.code], { env: { AWS_ENDPOINT_URL_SIGNIN: 'ftp://x:y@example.com' } });
  assert.equal([result.status, result.stdout], [1, '']);
  assert.equal(linesOf(result.stderr), ['aws2fa: AWS_ENDPOINT_URL_SIGNIN=ftp://***@example.com is not an https:// or http:// URL: set it to one, e.g. https://signin.aws.amazon.com, or unset it']);
  assert.equal(actions(world), []);
});

Faults('an endpoint that never answers: one line within the bound (AWS2FA_HTTP_TIMEOUT)', async (context) => {
  const silent = await rawEndpoint(context, null);
  await expectOneLine(context.world, { AWS_ENDPOINT_URL_SIGNIN: silent, AWS2FA_HTTP_TIMEOUT: '0.3' }, `aws2fa: the AWS sign-in endpoint at ${silent} did not answer in time (bound 1 s): check your network, VPN or AWS_ENDPOINT_URL_SIGNIN`);
});

Faults('an answer larger than 64 KiB, announced or not: refused', async (context) => {
  const announced = await rawEndpoint(context, `HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 1073741824\r\n\r\n{"SigninToken":"`);
  await expectOneLine(context.world, { AWS_ENDPOINT_URL_SIGNIN: announced }, /^aws2fa: the AWS sign-in endpoint at http:\/\/127\.0\.0\.1:\d+ sent an answer larger than 64 KiB; refusing it/);
  const big = `{"SigninToken":"${'A'.repeat(2 * 1024 * 1024)}"}`;
  const endless = await rawEndpoint(context, `HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n${big}`);
  context.world.fake.requests.length = 0;
  await expectOneLine(context.world, { AWS_ENDPOINT_URL_SIGNIN: endless }, /^aws2fa: the AWS sign-in endpoint at http:\/\/127\.0\.0\.1:\d+ sent an answer larger than 64 KiB; refusing it: check your network, VPN or AWS_ENDPOINT_URL_SIGNIN$/);
});

Faults('not the JSON {"SigninToken"}, or a token with spaces or control characters: refused', async (context) => {
  for (const body of ['<html>Bad</html>', '{"Token":"x"}', '["SigninToken"]', JSON.stringify({ SigninToken: 'abc def ghi jkl mno pqr' }), JSON.stringify({ SigninToken: `abcdefghijklmnopqrstu\u001b]0;owned\u0007` }), '{"SigninToken":""}']) {
    const endpoint = await rawEndpoint(context, http('200 OK', ['Content-Type: application/json'], body));
    context.world.fake.requests.length = 0;
    context.world.fake.issued.length = 0;
    await expectOneLine(
      context.world,
      { AWS_ENDPOINT_URL_SIGNIN: endpoint },
      `aws2fa: the AWS sign-in endpoint at ${endpoint} answered without a sign-in token (not the JSON {"SigninToken": …}); refusing it: try again, and check your network, VPN or AWS_ENDPOINT_URL_SIGNIN`,
    );
  }
});

Faults('a refusal with a hostile status text: shown without its control characters', async (context) => {
  const endpoint = await rawEndpoint(context, http('403 Forbidden \u001b[31mred\u001b[0m', ['Content-Type: text/plain'], 'no'));
  const stderr = await expectOneLine(context.world, { AWS_ENDPOINT_URL_SIGNIN: endpoint }, /^aws2fa: (the AWS sign-in endpoint at http:\/\/127\.0\.0\.1:\d+ refused the session of admin \(HTTP 403 Forbidden|cannot reach the AWS sign-in endpoint)/);
  assert.not.ok(stderr.includes('\u001b'));
});

Faults.run();
