import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { printable } from '../../src/printable.js';
import type { CustomReply } from '../helpers/aws-endpoint.js';
import { ALICE } from '../helpers/home.js';
import { makeWorld, type World } from '../helpers/world.js';

// Issue 11: error codes and texts from AWS (or anything claiming to be it) reach the terminal without control
// characters: no escape sequence recolours or retitles it, no line break forges a second line.
const Texts = suite<{ world: World }>('aws: error texts from the network are shown as one line without control characters');

Texts.before.each(async (context) => {
  context.world = await makeWorld();
});
Texts.after.each(async (context) => {
  await context.world.remove();
});

const HOSTILE = `User is not\r\nauthorized\u001b]0;owned\u0007 to \u001b[31mred\u001b[0m\u009b2J\u0000 perform\u202e: sts:GetSessionToken\naws2fa: Logged in prod`;
const CLEAN = 'User is not authorized to red perform: sts:GetSessionToken aws2fa: Logged in prod';

function stsError(status: number, code: string, message: string): CustomReply {
  return (response) => {
    const body = `<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type><Code>${code}</Code><Message>${message}</Message></Error><RequestId>r</RequestId></ErrorResponse>`;
    response.writeHead(status, { 'content-type': 'text/xml', 'content-length': Buffer.byteLength(body) });
    response.end(body);
  };
}

const CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202e]/;

Texts('an AWS message with escape sequences and line breaks is one clean line, in login and env login', async ({ world }) => {
  world.fake.injectReply(stsError(403, 'AccessDenied', HOSTILE), { service: 'sts' });
  for (const argv of [['login', 'prod', ALICE.code], ['env', 'login', 'prod', ALICE.code, '--shell', 'bash']]) {
    const result = await world.aws2fa(argv);
    assert.is(result.status, 1);
    assert.is(result.stdout, '');
    assert.is(result.stderr, `aws2fa: AWS refused the request: ${CLEAN}\n`);
  }
});

Texts('an unknown error code with control characters is cleaned too, and so is every debug line', async ({ world }) => {
  world.fake.injectReply(stsError(400, 'Odd\u001b[2JCode\nX', 'bad\u0007 thing'), { service: 'sts' });
  const result = await world.aws2fa(['login', 'prod', ALICE.code], { env: { AWS2FA_DEBUG: '1' } });
  assert.is(result.status, 1);
  const lines = result.stderr.split('\n').slice(0, -1);
  assert.is(lines.at(-1), 'aws2fa: STS refused the request (HTTP 400, OddCode X): bad thing');
  for (const line of lines) assert.not.match(line, CONTROL, JSON.stringify(line));
  assert.ok(lines.some((line) => /^aws2fa debug .*STS try 1\/2: .* → HTTP 400 OddCode X after/.test(line)), result.stderr);
});

Texts('printable: escape sequences go whole, breaks become one space, other controls and bidi overrides go', () => {
  assert.is(printable(HOSTILE), CLEAN);
  assert.is(printable('a\tb\u2028c\u0085d'), 'a b c d');
  assert.is(printable('  plain text, kept: ÄÖÜ 😀 $`\'"  '), 'plain text, kept: ÄÖÜ 😀 $`\'"');
  assert.is(printable('\u001b]8;;http://evil\u001b\\link\u001b]8;;\u001b\\'), 'link');
});

Texts.run();
