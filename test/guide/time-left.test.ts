import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { sessionTokenAnswer } from '../helpers/aws-endpoint.js';
import { runInProcess } from '../helpers/cli.js';
import { ALICE } from '../helpers/home.js';
import { findShell } from '../helpers/shells.js';
import { makeWorld, type World } from '../helpers/world.js';

// One session, one time left: the login message, env login's message, status (table, shell line, --json) and the
// hook's aws2fa_prompt all round down to the minute from whole seconds of the clock, so `59m` never stands beside
// `1h00m`. The clock is injected a fraction of a second past the boundary: where milliseconds were subtracted
// first, that fraction turned `1h00m` into `59m`.
const TimeLeft = suite<{ world: World }>('guide: time left is one number everywhere');

TimeLeft.before.each(async (context) => {
  context.world = await makeWorld();
});
TimeLeft.after.each(async (context) => {
  await context.world.remove();
});

const HOOK = fileURLToPath(new URL('../../shell/aws2fa.sh', import.meta.url));
const BOUNDARIES: Array<[number, string]> = [
  [3599, '59m'],
  [3600, '1h00m'],
  [43199, '11h59m'],
  [43200, '12h00m'],
];

// A whole second well ahead of the real clock (the STS answer is checked against it), as AWS sends expirations.
const expiresAt = () => new Date((Math.floor(Date.now() / 1000) + 24 * 3600) * 1000);
const clockBefore = (expiration: Date, seconds: number) => () => new Date(expiration.getTime() - seconds * 1000 + 400);

// What aws2fa_prompt prints at that second: bash with EPOCHSECONDS made a plain variable (unset drops its magic).
function promptAt(expiration: Date, now: Date): string | undefined {
  const bash = findShell('bash');
  if (!bash) return undefined;
  const script = `unset EPOCHSECONDS; EPOCHSECONDS=${Math.floor(now.getTime() / 1000)}; AWS2FA_PROFILE=prod; AWS2FA_EXPIRES=${expiration.getTime() / 1000}; source "$1"; aws2fa_prompt`;
  const run = spawnSync(bash.path, ['--norc', '--noprofile', '-c', script, 'bash', HOOK], { encoding: 'utf8' });
  assert.is(run.status, 0, run.stderr);
  return run.stdout;
}

function answerWith(world: World, expiration: Date): void {
  const values = { accessKeyId: 'ASIAQUICKSESSION0001', secretAccessKey: 'session/secret', sessionToken: 'IQoJb3JpZ2luX2VjEJr', expiration: expiration.toISOString() };
  world.fake.injectReply(sessionTokenAnswer(values), { service: 'sts', times: 1 });
}

for (const [seconds, shown] of BOUNDARIES) {
  TimeLeft(`${seconds} s left reads ${shown} in login, env login, status, status --json and the prompt`, async ({ world }) => {
    const expiration = expiresAt();
    const now = clockBefore(expiration, seconds);
    const run = (argv: string[], env: Record<string, string> = {}) => runInProcess(argv, { home: world.home, env: { ...world.env, ...env }, now });

    answerWith(world, expiration);
    const login = await run(['login', 'prod', ALICE.code]);
    assert.is(login.status, 0, login.stderr);
    assert.ok(login.stdout.includes(`(${shown} left)`), login.stdout);

    answerWith(world, expiration);
    const envLogin = await run(['env', 'login', 'prod', ALICE.code, '--shell', 'bash']);
    assert.is(envLogin.status, 0, envLogin.stderr);
    assert.ok(envLogin.stderr.includes(`(${shown} left)`), envLogin.stderr);

    const shellEnv = { AWS2FA_PROFILE: 'prod', AWS2FA_EXPIRES: String(expiration.getTime() / 1000), AWS_SESSION_TOKEN: 'x' };
    const table = await run(['status'], shellEnv);
    assert.match(table.stdout, new RegExp(`^prod +session +\\S+ +${shown}$`, 'm'));
    assert.ok(table.stdout.includes(`(${shown} left)`), table.stdout);
    const json = JSON.parse((await run(['status', 'prod', '--json'], shellEnv)).stdout) as { profiles: Array<{ secondsLeft: number }>; shell: { secondsLeft: number } };
    assert.is(json.profiles[0]!.secondsLeft, seconds);
    assert.is(json.shell.secondsLeft, seconds);

    const prompt = promptAt(expiration, now());
    if (prompt !== undefined) assert.is(prompt, `prod ${shown}`);
  });
}

TimeLeft.run();
