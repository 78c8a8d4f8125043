import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { makeFakeDocker, pathWith, type DockerCall, type FakeDocker } from '../helpers/fake-docker.js';
import { ALICE } from '../helpers/home.js';
import type { World } from '../helpers/world.js';
import { makeRolesWorld, OTHER_ACCOUNT } from './world.js';

// Issue 17: `login ROLE --ecr` logs docker in to the registries of the role's account (ECR names the caller's own,
// and the caller is the role); `logout ROLE --ecr` must log out of those same registries, not the root's.
const EcrLogout = suite<{ world: World; docker: FakeDocker }>('roles: logout ROLE --ecr logs docker out of the registries login ROLE --ecr logged in to');

EcrLogout.before.each(async (context) => {
  context.world = await makeRolesWorld();
  context.docker = await makeFakeDocker();
});
EcrLogout.after.each(async (context) => {
  await context.world.remove();
  await context.docker.remove();
});

const registriesOf = (calls: DockerCall[], verb: string) => calls.filter((call) => call.argv[0] === verb).map((call) => call.argv.at(-1)!).sort();

EcrLogout('login admin --ecr then logout admin --ecr: the same registries, in the role\'s account, each region', async ({ world, docker }) => {
  const env = { PATH: pathWith(docker.bin) };
  const login = await world.aws2fa(['login', 'admin', ALICE.code, '--ecr', '--ecr-region', 'us-west-2'], { env });
  assert.is(login.status, 0, login.stderr);
  const logout = await world.aws2fa(['logout', 'admin', '--ecr', '--ecr-region', 'us-west-2'], { env });
  assert.is(logout.status, 0, logout.stderr);
  const calls = await docker.calls();
  const expected = ['eu-central-1', 'us-west-2'].map((region) => `https://${OTHER_ACCOUNT}.dkr.ecr.${region}.amazonaws.com`);
  assert.equal(registriesOf(calls, 'login'), expected, 'login: the role account');
  assert.equal(registriesOf(calls, 'logout'), expected, 'logout: the same registries');
  assert.match(logout.stderr, new RegExp(`^ECR eu-central-1: logged out of ${OTHER_ACCOUNT}\\.dkr\\.ecr\\.eu-central-1\\.amazonaws\\.com$`, 'm'));
  assert.not.ok(calls.some((call) => call.argv.some((arg) => arg.includes('123456789012'))), 'never the root account');
});

EcrLogout('logout of a plain profile --ecr still asks GetCallerIdentity for the account of its long-term key', async ({ world, docker }) => {
  const logout = await world.aws2fa(['logout', 'base', '--ecr'], { env: { PATH: pathWith(docker.bin) } });
  assert.is(logout.status, 0, logout.stderr);
  assert.equal(registriesOf(await docker.calls(), 'logout'), ['https://123456789012.dkr.ecr.us-east-1.amazonaws.com']);
  assert.equal(world.fake.requests.filter((request) => request.action === 'GetCallerIdentity').map((request) => request.accessKeyId), [ALICE.accessKeyId]);
});

EcrLogout.run();
