import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { getRegistryLogin } from '../../src/aws/ecr.js';
import { targetFor } from '../../src/aws/endpoint.js';
import { getSessionToken } from '../../src/aws/sts.js';
import { AwsRequestError } from '../../src/errors.js';
import type { CustomReply } from '../helpers/aws-endpoint.js';
import { finished } from '../helpers/child.js';
import { BINARY, cleanEnv } from '../helpers/cli.js';
import { ALICE } from '../helpers/home.js';
import { leftovers } from '../helpers/processes.js';
import { rejection } from '../helpers/reject.js';
import { makeWorld, type World } from '../helpers/world.js';

// Issue 11: an STS or ECR answer larger than 1 MiB, one that announces 2 GiB, or one that never ends is one clear
// line, never a crash, and the run's memory stays under ~100 MiB. Each fault runs the built binary against the
// loopback endpoint and reads the child's peak RSS (getrusage, written by a preload as the child exits).
const Bounded = suite<{ world: World; scratch: string }>('aws: STS and ECR answers are read up to 1 MiB, never more');

Bounded.before.each(async (context) => {
  context.world = await makeWorld();
  context.scratch = await mkdtemp(join(tmpdir(), 'aws2fa-peak-'));
});
Bounded.after.each(async (context) => {
  await context.world.remove();
  await rm(context.scratch, { recursive: true, force: true });
});

const MIB = 1024 * 1024;
const PEAK_LIMIT_KIB = 100 * 1024;
// The test's own endpoints stop after this much, so that a broken limit fails the test rather than the machine.
const SENT_AT_MOST = 256 * MIB;
const ONE_LINE = /^aws2fa: STS at http:\/\/127\.0\.0\.1:\d+ sent an answer larger than 1 MiB; refusing it: check AWS_ENDPOINT_URL\n$/;

// Writes `total` bytes of XML-ish filler as fast as the reader takes them, then ends (or drops the connection).
function pour(response: ServerResponse, total: number, end: 'end' | 'drop'): void {
  const chunk = Buffer.alloc(64 * 1024, ' ');
  let sent = 0;
  const more = () => {
    while (sent < total && !response.destroyed) {
      sent += chunk.length;
      if (!response.write(chunk)) return void response.once('drain', more);
    }
    if (end === 'end') response.end();
    else response.destroy();
  };
  response.write('<GetSessionTokenResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><!--');
  more();
}

const answers: Record<string, CustomReply> = {
  'a 2 MiB answer': (response) => {
    response.writeHead(200, { 'content-type': 'text/xml', 'content-length': String(2 * MIB + 82) });
    pour(response, 2 * MIB, 'end');
  },
  'a Content-Length of 2 GiB': (response) => {
    response.writeHead(200, { 'content-type': 'text/xml', 'content-length': String(2 * 1024 * MIB) });
    pour(response, SENT_AT_MOST, 'drop');
  },
  'an answer that never ends': (response) => {
    response.writeHead(200, { 'content-type': 'text/xml' });
    pour(response, SENT_AT_MOST, 'drop');
  },
};

async function loginWithPeak(world: World, scratch: string): Promise<{ status: number | null; stdout: string; stderr: string; peakKib: number }> {
  const preload = join(scratch, 'peak.mjs');
  const peakFile = join(scratch, 'peak');
  await writeFile(
    preload,
    `import { writeFileSync } from 'node:fs';\nprocess.on('exit', () => writeFileSync(${JSON.stringify(peakFile)}, String(process.resourceUsage().maxRSS)));\n`,
  );
  const env = cleanEnv(world.home, { AWS_ENDPOINT_URL: world.fake.url, AWS2FA_HTTP_TIMEOUT: '2' });
  const child = spawn(process.execPath, ['--import', preload, BINARY, 'login', 'prod', ALICE.code], { env: env as NodeJS.ProcessEnv });
  const end = await finished(child);
  const peakKib = Number(await readFile(peakFile, 'utf8').catch(() => 'NaN'));
  return { status: end.status, stdout: end.stdout, stderr: end.stderr, peakKib };
}

for (const [what, reply] of Object.entries(answers)) {
  Bounded(`STS sends ${what}: one clear line, nothing written, peak memory under 100 MiB`, async ({ world, scratch }) => {
    world.fake.injectReply(reply, { service: 'sts' });
    const before = await world.snapshot();
    const result = await loginWithPeak(world, scratch);
    assert.is(result.status, 1, result.stderr);
    assert.match(result.stderr, ONE_LINE);
    assert.is(result.stdout, '');
    assert.ok(result.peakKib < PEAK_LIMIT_KIB, `peak RSS ${Math.round(result.peakKib / 1024)} MiB`);
    assert.equal(await world.snapshot(), before, 'both files byte-identical');
    assert.equal(await leftovers(world.aws), []);
    assert.is(world.fake.requests.length, 1, 'an oversized 200 is not retried');
  });
}

Bounded('an oversized ECR answer is refused the same way, and a 1 MiB error answer is bounded too', async ({ world }) => {
  const stsTarget = targetFor({ AWS_ENDPOINT_URL: world.fake.url }, 'STS', 'eu-west-1');
  const session = await getSessionToken(stsTarget, ALICE, { serial: ALICE.mfaSerial, code: ALICE.code, durationSeconds: 3600 });
  world.fake.injectReply(answers['an answer that never ends']!, { service: 'ecr' });
  const ecr = targetFor({ AWS_ENDPOINT_URL: world.fake.url, AWS2FA_HTTP_TIMEOUT: '2' }, 'ECR', 'eu-west-1');
  const refused = await rejection(getRegistryLogin(ecr, session), AwsRequestError);
  assert.match(refused.message, /^ECR at http:\/\/127\.0\.0\.1:\d+ sent an answer larger than 1 MiB; refusing it/);

  world.fake.clearFaults();
  world.fake.injectReply(
    (response) => {
      response.writeHead(500, { 'content-type': 'text/xml' });
      pour(response, SENT_AT_MOST, 'drop');
    },
    { service: 'sts' },
  );
  const failed = await rejection(getSessionToken(stsTarget, ALICE, { serial: ALICE.mfaSerial, code: ALICE.code, durationSeconds: 3600 }), AwsRequestError);
  assert.match(failed.message, /^STS at http:\/\/127\.0\.0\.1:\d+ sent an answer larger than 1 MiB/);
});

Bounded('an answer just under 1 MiB is still read (the limit is no lower than promised)', async ({ world }) => {
  world.fake.injectReply(
    (response) => {
      const padding = `<!--${' '.repeat(MIB - 2048)}-->`;
      response.writeHead(403, { 'content-type': 'text/xml' });
      response.end(
        `<ErrorResponse><Error><Type>Sender</Type><Code>InvalidClientTokenId</Code><Message>bad key</Message></Error>${padding}</ErrorResponse>`,
      );
    },
    { service: 'sts' },
  );
  const target = targetFor({ AWS_ENDPOINT_URL: world.fake.url }, 'STS', 'eu-west-1');
  const failed = await rejection(getSessionToken(target, ALICE, { serial: ALICE.mfaSerial, code: ALICE.code, durationSeconds: 3600 }), AwsRequestError);
  assert.match(failed.message, /^AWS does not accept access key AKIA…/);
});

Bounded.run();
