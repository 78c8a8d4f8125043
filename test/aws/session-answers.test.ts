import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { sessionFromAnswer } from '../../src/aws/session-answer.js';
import { AwsRequestError } from '../../src/errors.js';
import { sessionTokenAnswer } from '../helpers/aws-endpoint.js';
import { ALICE } from '../helpers/home.js';
import { leftovers } from '../helpers/processes.js';
import { rejection } from '../helpers/reject.js';
import { makeWorld, type World } from '../helpers/world.js';

// Issue 11: the credentials STS sends are hostile input. A key id other than ASIA/AKIA + 16 capitals or digits, a
// secret or token that is not printable ASCII without spaces, an expiration in the past or more than 36 h away:
// one clear line, nothing written, nothing printed for the shell to eval.
const Answers = suite<{ world: World }>('aws: STS credentials are checked before anything is written or printed');

Answers.before.each(async (context) => {
  context.world = await makeWorld();
});
Answers.after.each(async (context) => {
  await context.world.remove();
});

const HOUR = 3600_000;
const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
const good = () => ({
  accessKeyId: 'ASIAQWERTYUIOP123456',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYzEXAMPLE=',
  sessionToken: 'IQoJb3JpZ2luX2VjEPr//////////wEaCXVzLWVhc3QtMSJHMEUCIQ==',
  expiration: iso(Date.now() + HOUR),
});

const hostile: Array<[string, Partial<ReturnType<typeof good>>, string]> = [
  ['an expiration in 1969', { expiration: '1969-12-31T23:59:59Z' }, 'with a session that has already expired (check the clock of this machine)'],
  ['an expiration 48 h away', { expiration: iso(Date.now() + 48 * HOUR) }, 'with a session longer than 36 h (check the clock of this machine)'],
  ['a secret with spaces', { secretAccessKey: 'two words' }, 'with a secret access key that is not printable ASCII without spaces'],
  ['a secret with non-ASCII letters', { secretAccessKey: 'Schlüssel' }, 'with a secret access key that is not printable ASCII without spaces'],
  ['a token with an escape sequence', { sessionToken: 'IQo\u001b]0;owned\u0007' }, 'with a session token that is not printable ASCII without spaces'],
  ['a key id ASIA#X;y', { accessKeyId: 'ASIA#X;y' }, 'with an access key id that is not ASIA or AKIA and 16 capitals or digits'],
  ['a key id of 21 characters', { accessKeyId: 'ASIAQWERTYUIOP1234567' }, 'with an access key id that is not ASIA or AKIA and 16 capitals or digits'],
  ['a key id in lower case', { accessKeyId: 'asiaqwertyuiop123456' }, 'with an access key id that is not ASIA or AKIA and 16 capitals or digits'],
  ['no token', { sessionToken: '' }, 'without credentials'],
];

for (const [what, change, problem] of hostile) {
  Answers(`STS answers with ${what}: login and env login refuse it in one line, nothing written or printed`, async ({ world }) => {
    world.fake.injectReply(sessionTokenAnswer({ ...good(), ...change }), { service: 'sts' });
    const before = await world.snapshot();
    for (const argv of [['login', 'prod', ALICE.code], ['env', 'login', 'prod', ALICE.code, '--shell', 'bash']]) {
      const result = await world.aws2fa(argv);
      assert.is(result.status, 1, result.stderr);
      assert.is(result.stdout, '', 'nothing for the shell to eval');
      assert.is(
        result.stderr,
        `aws2fa: STS at ${world.fake.url} answered ${problem}; refusing it, nothing was written: try again, and check AWS_ENDPOINT_URL\n`,
      );
    }
    assert.equal(await world.snapshot(), before, 'both files byte-identical');
    assert.equal(await leftovers(world.aws), []);
  });
}

Answers('a well-formed answer (ASIA or AKIA, printable secret and token, up to 36 h) is taken as sent', async ({ world }) => {
  const values = { ...good(), accessKeyId: 'AKIAQWERTYUIOP123456', expiration: iso(Date.now() + 36 * HOUR) };
  world.fake.injectReply(sessionTokenAnswer(values), { service: 'sts', times: 1 });
  const result = await world.aws2fa(['env', 'login', 'prod', ALICE.code, '--shell', 'bash']);
  assert.is(result.status, 0, result.stderr);
  assert.ok(result.stdout.includes(`export AWS_SECRET_ACCESS_KEY='${values.secretAccessKey}'`), result.stdout);
  assert.ok(result.stdout.includes(`export AWS_ACCESS_KEY_ID='AKIAQWERTYUIOP123456'`), result.stdout);
});

Answers('sessionFromAnswer: the 36 h bound allows for 15 minutes of clock skew, and never quotes a value', async () => {
  const now = new Date('2026-11-30T00:00:00Z');
  const at = (ms: number) => ({ AccessKeyId: 'ASIAQWERTYUIOP123456', SecretAccessKey: 's', SessionToken: 't', Expiration: new Date(now.getTime() + ms) });
  assert.is(sessionFromAnswer(at(36 * HOUR + 15 * 60_000), 'STS', now).expiration.getTime(), now.getTime() + 36 * HOUR + 15 * 60_000);
  const late = await rejection(() => sessionFromAnswer(at(36 * HOUR + 15 * 60_000 + 1000), 'STS', now), AwsRequestError);
  assert.match(late.message, /longer than 36 h/);
  const now0 = await rejection(() => sessionFromAnswer(at(0), 'STS', now), AwsRequestError);
  assert.match(now0.message, /already expired/);
  const nodate = await rejection(() => sessionFromAnswer({ ...at(HOUR), Expiration: new Date('soon') }, 'STS', now), AwsRequestError);
  assert.match(nodate.message, /with an expiration that is not a date/);
  const secret = await rejection(() => sessionFromAnswer({ ...at(HOUR), SecretAccessKey: 'top secret' }, 'STS', now), AwsRequestError);
  assert.not.ok(secret.message.includes('top secret'));
});

Answers.run();
