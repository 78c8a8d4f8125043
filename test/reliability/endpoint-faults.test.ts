import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { callBoundMs, targetFor } from '../../src/aws/endpoint.js';
import type { Fault } from '../helpers/aws-endpoint.js';
import { cleanEnv } from '../helpers/cli.js';
import { ALICE } from '../helpers/home.js';
import { leftovers, runBinaryGuarded, type Exit } from '../helpers/processes.js';
import { makeWorld, type World } from '../helpers/world.js';

// Issue 6, fault 1: whatever the endpoint does, the built binary ends with one clear line within its bound, and
// both files stay byte for byte. Real processes against a real HTTP endpoint with injected faults.
const Faults = suite<{ world: World }>('reliability: a failing STS endpoint is a clear error within the bound, files untouched');

Faults.before.each(async (context) => {
  context.world = await makeWorld();
});
Faults.after.each(async (context) => {
  await context.world.remove();
});

// Short SDK timeouts so a hang costs half a second; the guard is generous and only catches a real hang.
const HTTP_TIMEOUT = '0.25';
const GUARD_MS = 15_000;

const EXPECTED: Record<Fault, RegExp> = {
  '500': /^aws2fa: STS at http:\/\/127\.0\.0\.1:\d+ failed \(HTTP 500\): try again in a moment\n$/,
  throttle: /^aws2fa: AWS is throttling STS requests: wait a minute and try again\n$/,
  reset: /^aws2fa: cannot reach STS at http:\/\/127\.0\.0\.1:\d+ \(ECONNRESET\): check your network/,
  hang: /^aws2fa: STS at http:\/\/127\.0\.0\.1:\d+ did not answer in time/,
  malformed: /^aws2fa: STS at http:\/\/127\.0\.0\.1:\d+ sent an answer that could not be read/,
};

async function expectCleanFailure(world: World, argv: string[], endpoint: string, message: RegExp): Promise<Exit> {
  const before = await world.snapshot();
  const result = await runBinaryGuarded(argv, cleanEnv(world.home, { AWS_ENDPOINT_URL: endpoint, AWS2FA_HTTP_TIMEOUT: HTTP_TIMEOUT }), {
    guardMs: GUARD_MS,
  });
  assert.not.ok(result.guardKilled, `${argv.join(' ')} was still running after ${GUARD_MS} ms and had to be killed`);
  assert.is(result.status, 1, result.stderr);
  assert.is(result.stdout, '', 'nothing on stdout (env mode would eval it)');
  assert.match(result.stderr, message);
  assert.is(result.stderr.split('\n').length, 2, `one line: ${JSON.stringify(result.stderr)}`);
  assert.equal(await world.snapshot(), before, 'both files byte-identical');
  assert.equal(await leftovers(world.aws), [], 'no lock or temporary file left');
  return result;
}

for (const fault of Object.keys(EXPECTED) as Fault[]) {
  Faults(`STS ${fault} on every try: login and env login fail with one clear line, within the bound, nothing written`, async ({ world }) => {
    world.fake.injectFault(fault, { service: 'sts' });
    await expectCleanFailure(world, ['login', 'prod', ALICE.code], world.fake.url, EXPECTED[fault]);
    await expectCleanFailure(world, ['env', 'login', 'prod', ALICE.code, '--shell', 'bash'], world.fake.url, EXPECTED[fault]);
    const tries = world.fake.requests.filter((request) => request.service === 'sts').length;
    // A malformed 200 is not retried; everything else is tried twice per run, never more.
    assert.is(tries, fault === 'malformed' ? 2 : 4, `${fault}: tries`);
  });
}

// A hang on the first try only: the SDK's requestTimeout must end that try (recent @smithy/node-http-handler only
// warns unless told to throw), so that the second try runs within the whole-call bound and succeeds.
Faults('one 500, reset, throttle or hang is retried once and the login succeeds', async ({ world }) => {
  for (const fault of ['500', 'reset', 'throttle', 'hang'] as const) {
    world.fake.injectFault(fault, { service: 'sts', times: 1 });
    const env = cleanEnv(world.home, { AWS_ENDPOINT_URL: world.fake.url, AWS2FA_HTTP_TIMEOUT: HTTP_TIMEOUT });
    const login = await runBinaryGuarded(['login', 'prod', ALICE.code], env, { guardMs: GUARD_MS });
    assert.is(login.status, 0, `${fault}: ${login.stderr}`);
    assert.is((await runBinaryGuarded(['logout', 'prod'], env)).status, 0);
  }
});

// The SDK's own timeouts bound connecting and each silence only: an endpoint that sends a byte now and then
// would keep a run alive forever without the whole-call bound.
Faults('an endpoint that trickles bytes forever is cut off at the whole-call bound', async ({ world }) => {
  const trickle: Server = createServer((request, response) => {
    request.resume();
    response.writeHead(200, { 'content-type': 'text/xml' });
    const timer = setInterval(() => response.write(' '), 100);
    response.on('close', () => clearInterval(timer));
  });
  await new Promise<void>((resolve) => trickle.listen(0, '127.0.0.1', () => resolve()));
  try {
    const { port } = trickle.address() as AddressInfo;
    await expectCleanFailure(world, ['login', 'prod', ALICE.code], `http://127.0.0.1:${port}`, /did not answer in time/);
  } finally {
    trickle.closeAllConnections();
    trickle.close();
  }
});

Faults('the default bound is what the README states: 3 s to connect, 10 s of silence, 2 tries, 28 s in all', () => {
  const target = targetFor({}, 'STS', 'us-east-1');
  assert.equal([target.connectTimeoutMs, target.requestTimeoutMs, target.maxAttempts, callBoundMs(target)], [3_000, 10_000, 2, 28_000]);
  const short = targetFor({ AWS2FA_HTTP_TIMEOUT: '0.5' }, 'STS', 'us-east-1');
  assert.is(callBoundMs(short), 3_000);
});

Faults.run();
