import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ALICE } from '../helpers/home.js';
import { scriptedTerminal, type World } from '../helpers/world.js';
import { makeRolesWorld } from '../roles/world.js';

// The code of a role flow comes from the root's MFA device: the prompt names that profile and device, so that
// `MFA code for admin:` never sends someone looking for an "admin" entry in their authenticator.
const CodePrompt = suite<{ world: World }>('guide: the code prompt names the device\'s profile');

CodePrompt.before.each(async (context) => {
  context.world = await makeRolesWorld();
});
CodePrompt.after.each(async (context) => {
  await context.world.remove();
});

const ROLE_PROMPT = `MFA code for base (${ALICE.mfaSerial}), for admin: `;

CodePrompt('login ROLE and env login ROLE (from a session or directly) name the root and its device; a plain profile is asked by its name', async ({ world }) => {
  const login = scriptedTerminal([ALICE.code]);
  assert.is((await world.aws2fa(['login', 'admin'], { terminal: login })).status, 0);
  assert.equal(login.questions, [ROLE_PROMPT]);
  assert.is((await world.aws2fa(['logout', 'base'])).status, 0);

  const envLogin = scriptedTerminal([ALICE.code]);
  const env = await world.aws2fa(['env', 'login', 'admin', '--shell', 'sh'], { terminal: envLogin });
  assert.is(env.status, 0, env.stderr);
  assert.equal(envLogin.questions, [ROLE_PROMPT]);

  const longRole = scriptedTerminal([ALICE.code]);
  const direct = await world.aws2fa(['env', 'login', 'long', '--shell', 'sh'], { terminal: longRole });
  assert.is(direct.status, 0, direct.stderr);
  assert.equal(longRole.questions, [`MFA code for base (${ALICE.mfaSerial}), for long: `], 'assumed directly with the code: the same device');

  const plain = scriptedTerminal([ALICE.code]);
  assert.is((await world.aws2fa(['login', 'base'], { terminal: plain })).status, 0);
  assert.equal(plain.questions, ['MFA code for base: ']);
});

CodePrompt.run();
