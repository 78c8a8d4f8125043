import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { runInProcess } from '../helpers/cli.js';
import { ALICE } from '../helpers/home.js';
import { makeWorld, type World } from '../helpers/world.js';

const Status = suite<{ world: World }>('commands/status: every profile and this shell, no secrets');

Status.before.each(async (context) => {
  context.world = await makeWorld();
});
Status.after.each(async (context) => {
  await context.world.remove();
});

const NOW = new Date('2026-11-23T20:00:00Z');

Status('lists long-term, session, expired and foreign-session profiles with time left', async ({ world }) => {
  await world.writeCredentials(
    [
      '[default]', 'aws_access_key_id = AKIA1', 'aws_secret_access_key = s1', '',
      '[prod]', 'aws_access_key_id = ASIA2', 'aws_secret_access_key = s2', 'aws_session_token = t2', 'expiration = 2026-11-24T07:58:30Z', '',
      '[prod::source-profile]', 'aws_access_key_id = AKIA2', 'aws_secret_access_key = s2lt', '',
      '[old]', 'aws_access_key_id = ASIA3', 'aws_secret_access_key = s3', 'aws_session_token = t3', 'expiration = 2026-11-20T00:00:00Z', '',
      '[old::source-profile]', 'aws_access_key_id = AKIA3', 'aws_secret_access_key = s3lt', '',
      '[pasted]', 'aws_access_key_id = ASIA4', 'aws_secret_access_key = s4', 'aws_session_token = t4', '',
    ].join('\n'),
  );
  const text = await runInProcess(['status'], { home: world.home, env: {}, now: () => NOW });
  assert.is(text.status, 0);
  assert.is(
    text.stdout,
    [
      world.credentials,
      'PROFILE  STATE                            EXPIRES               LEFT',
      'default  long-term',
      'prod     session                          2026-11-24T07:58:30Z  11h58m',
      'old      expired                          2026-11-20T00:00:00Z  expired',
      'pasted   session (not aws2fa, no backup)',
      'this shell: no env session',
      '',
    ].join('\n'),
  );
  for (const secret of ['s1', 's2', 't2', 's2lt', 'AKIA', 'ASIA']) assert.not.ok(text.stdout.includes(` ${secret}`), secret);
});

Status('--json and a single PROFILE; the env session of this shell', async ({ world }) => {
  const expires = Math.floor(NOW.getTime() / 1000) + 45 * 60;
  const env = { AWS2FA_PROFILE: 'prod', AWS2FA_EXPIRES: String(expires), AWS_SESSION_TOKEN: 'x' };
  const result = await runInProcess(['status', 'prod', '--json'], { home: world.home, env, now: () => NOW });
  assert.is(result.status, 0);
  assert.equal(JSON.parse(result.stdout), {
    credentialsFile: world.credentials,
    profiles: [{ name: 'prod', state: 'long-term', managedByAws2fa: false, expiration: null, secondsLeft: null, role: null }],
    shell: { profile: 'prod', state: 'session', expiration: '2026-11-23T20:45:00Z', secondsLeft: 2700, root: null },
  });
  const table = await runInProcess(['status'], { home: world.home, env, now: () => NOW });
  assert.match(table.stdout, /this shell: prod env session until 2026-11-23T20:45:00Z \(45m left\)\n$/);
});

Status('status of an unknown profile is an error naming the known ones', async ({ world }) => {
  const result = await world.aws2fa(['status', 'nope']);
  assert.is(result.status, 1);
  assert.match(result.stderr, /profile nope is not in .* \(known profiles: default, prod\)/);
});

Status('status after a real login shows the session', async ({ world }) => {
  await world.aws2fa(['login', 'prod', ALICE.code]);
  const result = await world.aws2fa(['status', 'prod']);
  assert.match(result.stdout, /\nprod +session +\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ +(?:12h00m|11h59m)\n/);
});

Status.run();
