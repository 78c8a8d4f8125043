import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { commandsNear, helpRequest, mistakeLine, unknownCommandLine, type KnownCommand } from '../../src/cli/mistakes.js';

const Lines = suite('guide: the line for a command line that does not parse');

const login = { main: ['login'], options: ['--name', '--duration', '--lifespan'] };
const COMMANDS: KnownCommand[] = [
  { path: ['login'], ...login },
  { path: ['mfa', 'login'], ...login },
  { path: ['status'], main: ['status'], options: ['--json'] },
  { path: ['env', 'login'], main: ['env', 'login'], options: ['--shell'] },
  { path: ['env', 'logout'], main: ['env', 'logout'], options: ['--shell'] },
];
const DEFAULT: KnownCommand = { path: [], ...login };

Lines('a group word is its commands; a typo of a word is the word', () => {
  assert.equal(commandsNear('evn', COMMANDS), [['env', 'login'], ['env', 'logout']]);
  assert.equal(commandsNear('stauts', COMMANDS), [['status']]);
  assert.equal(commandsNear('prod', COMMANDS), []);
});

Lines('unknown command words: the nearest in the group, else a command of its own, else the whole group', () => {
  assert.is(unknownCommandLine(['env', 'lgoout'], COMMANDS), 'no command env lgoout; did you mean env logout? (see aws2fa env logout --help)');
  assert.is(unknownCommandLine(['mfa', 'status'], COMMANDS), 'no command mfa status; did you mean status? (see aws2fa status --help)');
  assert.is(unknownCommandLine(['env', 'zzz'], COMMANDS), 'no command env zzz; did you mean env login or env logout? (see aws2fa --help)');
  assert.is(unknownCommandLine(['prod', '123456'], COMMANDS), undefined, 'the default command: PROFILE CODE');
});

Lines('options: the nearest option of the command typed, else of the default command', () => {
  assert.is(mistakeLine(['status', '--jsn'], COMMANDS, DEFAULT, 'x'), 'unknown option --jsn; did you mean --json? (see aws2fa status --help)');
  assert.is(mistakeLine(['mfa', 'login', '--nmae=a'], COMMANDS, DEFAULT, 'x'), 'unknown option --nmae; did you mean --name? (see aws2fa login --help)');
  assert.is(mistakeLine(['prod', '--lifespn', '1h'], COMMANDS, DEFAULT, 'x'), 'unknown option --lifespn; did you mean --lifespan? (see aws2fa login --help)');
  const withUsage = COMMANDS.map((command) => (command.main[0] === 'login' ? { ...command, usage: 'aws2fa login [PROFILE] [CODE]' } : command));
  assert.is(mistakeLine(['login', 'a', 'b', 'c'], withUsage, DEFAULT, 'Extraneous positional argument ("c").'), 'unexpected word c; usage: aws2fa login [PROFILE] [CODE] (see aws2fa login --help)');
  assert.is(mistakeLine(['--bogus'], COMMANDS, DEFAULT, 'Unsupported option name ("--bogus").'), 'unknown option --bogus (see aws2fa --help)');
  assert.is(mistakeLine(['--verison'], COMMANDS, DEFAULT, 'Unsupported option name ("--verison").'), 'unknown option --verison; did you mean --version? (see aws2fa --help)');
  assert.is(mistakeLine(['login', '--shell', 'x', '--', '--json'], COMMANDS, DEFAULT, 'r'), 'unknown option --shell (see aws2fa login --help)');
});

Lines('aws2fa help WORDS: the command help when the words name one, else the nearest', () => {
  assert.equal(helpRequest([], COMMANDS), { argv: ['--help'] });
  assert.equal(helpRequest(['mfa', 'login'], COMMANDS), { argv: ['mfa', 'login', '--help'] });
  assert.equal(helpRequest(['login', 'prod'], COMMANDS), { mistake: 'no command login prod; did you mean login? (see aws2fa login --help)' });
  assert.equal(helpRequest(['prod'], COMMANDS), { mistake: 'no command prod (see aws2fa --help)' });
  assert.equal(helpRequest(['stats'], COMMANDS), { mistake: 'no command stats; did you mean status? (see aws2fa status --help)' });
});

Lines.run();
