import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { cleanEnv, runBinary } from '../helpers/cli.js';
import { makeHome, type TempHome } from '../helpers/home.js';

// --duration's help is right for every form: file-mode `login ROLE` makes the root's 12 h session and no role
// session; env login and exec make the role session, of that length.
const DurationHelp = suite<{ home: TempHome }>('guide: --duration help for every form');

DurationHelp.before.each(async (context) => {
  context.home = await makeHome();
});
DurationHelp.after.each(async (context) => {
  await context.home.remove();
});

const durationLine = (help: string) => help.split('\n').find((line) => line.startsWith('  --duration,--lifespan SECONDS|1h'))!;

DurationHelp('login says a role profile gets its root\'s 12h session and no role session; env login and exec say the role session\'s length', async ({ home }) => {
  const env = cleanEnv(home.home);
  const login = durationLine((await runBinary(['login', '--help'], env)).stdout);
  assert.match(login, /Session length: .*\(default 12h\); a role profile gets its root's 12h session and no role session/);
  assert.not.match(login, /for a role profile 1h/);
  assert.equal(durationLine((await runBinary(['mfa', 'login', '--help'], env)).stdout), login);
  for (const path of [['env', 'login'], ['exec']]) {
    const line = durationLine((await runBinary([...path, '--help'], env)).stdout);
    assert.match(line, /Session length: .*\(default 12h\); for a role profile, the role session's length \(default duration_seconds, else 1h; over 1h takes a code\)/, path.join(' '));
  }
});

DurationHelp.run();
