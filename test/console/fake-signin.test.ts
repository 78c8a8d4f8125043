import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ALICE } from '../helpers/home.js';
import type { World } from '../helpers/world.js';
import { exportsOf, makeRolesWorld } from '../roles/world.js';
import { follow, runConsole } from './world.js';

// The fake federation endpoint refuses what AWS refuses, so the console tests would catch aws2fa sending it: a
// GetSessionToken session, SessionDuration for a role assumed with a session, a used or unknown sign-in token.
const Fake = suite<{ world: World }>('console: the fake sign-in endpoint refuses what AWS refuses');

Fake.before.each(async (context) => {
  context.world = await makeRolesWorld();
});
Fake.after.each(async (context) => {
  await context.world.remove();
});

async function sessionOf(world: World, argv: string[]): Promise<Record<string, string>> {
  const result = await runConsole(world, ['env', 'login', ...argv, '--shell', 'bash']);
  assert.is(result.status, 0, result.stderr);
  return exportsOf(result.stdout);
}

async function getSigninToken(world: World, env: Record<string, string>, sessionDuration?: number): Promise<{ status: number; body: string }> {
  const url = new URL(`${world.fake.url}/federation`);
  url.searchParams.set('Action', 'getSigninToken');
  if (sessionDuration !== undefined) url.searchParams.set('SessionDuration', String(sessionDuration));
  url.searchParams.set('Session', JSON.stringify({ sessionId: env.AWS_ACCESS_KEY_ID, sessionKey: env.AWS_SECRET_ACCESS_KEY, sessionToken: env.AWS_SESSION_TOKEN }));
  const response = await fetch(url);
  return { status: response.status, body: await response.text() };
}

Fake('a GetSessionToken session or long-term keys: 400; a role session: a token; SessionDuration only for a role assumed with long-term keys', async ({ world }) => {
  const root = await sessionOf(world, ['base', ALICE.code]);
  assert.is((await getSigninToken(world, root)).status, 400, 'GetSessionToken session');
  assert.is((await getSigninToken(world, { AWS_ACCESS_KEY_ID: ALICE.accessKeyId, AWS_SECRET_ACCESS_KEY: ALICE.secretAccessKey, AWS_SESSION_TOKEN: '' })).status, 400, 'long-term keys');
  const chained = await sessionOf(world, ['admin', ALICE.code]);
  const token = await getSigninToken(world, chained);
  assert.is(token.status, 200);
  assert.equal(Object.keys(JSON.parse(token.body) as object), ['SigninToken']);
  assert.is((await getSigninToken(world, chained, 3600)).status, 400, 'SessionDuration for a role assumed with a session');
  const direct = await sessionOf(world, ['long', ALICE.code]);
  assert.is((await getSigninToken(world, direct, 7200)).status, 200, 'SessionDuration for a role assumed with long-term keys');
  assert.is((await getSigninToken(world, direct, 50000)).status, 400, 'SessionDuration past 12 h');
  assert.is((await getSigninToken(world, { ...chained, AWS_SECRET_ACCESS_KEY: 'wrong' })).status, 400, 'a wrong secret');
});

Fake('login: a valid token redirects once to the destination; an unknown or used one is refused', async ({ world }) => {
  const chained = await sessionOf(world, ['admin', ALICE.code]);
  const { SigninToken } = JSON.parse((await getSigninToken(world, chained)).body) as { SigninToken: string };
  const login = (token: string) => {
    const url = new URL(`${world.fake.url}/federation`);
    url.search = new URLSearchParams({ Action: 'login', Issuer: 'test', Destination: 'https://us-east-1.console.aws.amazon.com/', SigninToken: token }).toString();
    return follow(url.toString());
  };
  assert.equal(await login(`${SigninToken}x`), { status: 400, location: null });
  assert.equal(await login(SigninToken), { status: 302, location: 'https://us-east-1.console.aws.amazon.com/' });
  assert.equal(await login(SigninToken), { status: 400, location: null }, 'used once');
});

Fake.run();
