import { closest, oneOf } from './suggest.js';
import { parseDuration } from '../duration.js';
import { quote } from '../shell/posix.js';

// One command as a user can type it: an alias path (`mfa login`) points at its main path (`login`) for --help.
export interface KnownCommand {
  path: string[];
  main: string[];
  options: string[]; // every name: --duration, --lifespan, ...
  usage?: string; // `aws2fa status [PROFILE]`: the usage line without its options
  description?: string;
  needs?: string; // what a missing operand is, said when it is missing: `a shell: bash, zsh or fish`
}

// Accepted before any command: `aws2fa --version`, `aws2fa --help`.
const GENERAL_OPTIONS = [`--version`, `-v`, `--help`, `-h`];

// Accepted by every command, though not listed by all (`--debug` is hidden where it logs nothing).
const ALWAYS_ACCEPTED = [`-h`, `--help`, `--debug`];
const DURATION_OPTIONS = [`--duration`, `--lifespan`];

const seeHelp = (path: string[]) => ` (see aws2fa ${path.join(` `)} --help)`;
const SEE_GENERAL_HELP = ` (see aws2fa --help)`;

// The words before the first option: where a command path is typed.
function leadingWords(argv: string[]): string[] {
  const firstOption = argv.findIndex((arg) => arg.startsWith(`-`));
  return firstOption >= 0 ? argv.slice(0, firstOption) : argv;
}

const startsWith = (words: string[], path: string[]) => path.every((word, index) => words[index] === word);

// The command whose whole path starts the words, the longest one: `env login prod` is env login.
export function commandTyped(words: string[], commands: KnownCommand[]): KnownCommand | undefined {
  return commands.filter((command) => command.path.length > 0 && startsWith(words, command.path)).sort((a, b) => b.path.length - a.path.length)[0];
}

// `did you mean env login?`, pointing at that command's own --help when there is just one.
function guessLine(what: string, guesses: string[][]): string {
  const help = guesses.length === 1 ? seeHelp(guesses[0]!) : SEE_GENERAL_HELP;
  return `${what}; did you mean ${oneOf(guesses.map((path) => path.join(` `)))}?${help}`;
}

// The command paths a first word may stand for: itself, or the commands of a group (env: env login, env logout).
function pathsUnder(word: string, commands: KnownCommand[]): string[][] {
  const paths = commands.filter((command) => command.path[0] === word).map((command) => command.path);
  return paths.some((path) => path.length === 1) ? [[word]] : paths;
}

// The commands `word` is a typo of, as paths (a group word stands for its commands).
export function commandsNear(word: string, commands: KnownCommand[]): string[][] {
  const firstWords = commands.map((command) => command.path[0]).filter((first): first is string => first !== undefined);
  return closest(word, firstWords).flatMap((guess) => pathsUnder(guess, commands));
}

// Words that start no command, or a group word without (or with a wrong) next word. Undefined when the first
// word is nothing like a command: then it is the default command's PROFILE.
export function unknownCommandLine(words: string[], commands: KnownCommand[]): string | undefined {
  const [first, next] = words;
  if (first === undefined) return undefined;
  const group = commands.filter((command) => command.path[0] === first && command.path.length > 1);
  if (group.length > 0) {
    const everyOne = group.map((command) => command.path);
    if (next === undefined) return guessLine(`${first} is not a command on its own`, everyOne);
    const inGroup = closest(next, group.map((command) => command.path[1]!)).map((word) => [first, word]);
    const alone = closest(next, commands.filter((command) => command.path.length === 1).map((command) => command.path[0]!)).map((word) => [word]);
    const guesses = inGroup.length > 0 ? inGroup : alone.length > 0 ? alone : everyOne;
    return guessLine(`no command ${first} ${next}`, guesses);
  }
  const near = commandsNear(first, commands);
  return near.length > 0 ? guessLine(`no command ${first}`, near) : undefined;
}

const shellWord = (word: string) => (/^[\w@%+=:,./-]+$/.test(word) ? word : quote(word));

// One letter is too little to guess from: `-x` is no typo of `-p`. Long options only.
const suggestedOption = (name: string, options: string[]) => (name.startsWith(`--`) ? closest(name, options.filter((option) => option.startsWith(`--`))) : []);

// Clipanion's own reasons (`Extraneous positional argument ("x").`) in words that say what to type instead.
function reasonLine(reason: string, command: KnownCommand): string {
  const help = seeHelp(command.main);
  const usage = command.usage ? `; usage: ${command.usage}` : ``;
  const extra = /^Extraneous positional argument \("(.*)"\)/s.exec(reason);
  if (extra) return `unexpected word ${shellWord(extra[1]!)}${usage}${help}`;
  if (/^Not enough positional arguments/.test(reason)) {
    return command.needs ? `aws2fa ${command.main.join(` `)} needs ${command.needs}${help}` : `a word is missing${usage}${help}`;
  }
  const noValue = /^Not enough arguments to option (\S+?)\.?$/.exec(reason);
  if (noValue) return `${noValue[1]} needs a value${help}`;
  const valued = /^Invalid option name \("(.*?)=/s.exec(reason);
  if (valued) return `${valued[1]} takes no value${help}`;
  return `${reason}${help}`;
}

// An option before any command: a typo of --version or --help, else of the default command's (login's) options.
function leadingOptionLine(argv: string[], defaultCommand: KnownCommand, reason: string): string {
  const known = [...GENERAL_OPTIONS, ...defaultCommand.options, ...ALWAYS_ACCEPTED];
  const end = argv.indexOf(`--`);
  const unknown = (end >= 0 ? argv.slice(0, end) : argv).find((arg) => arg.startsWith(`-`) && arg !== `-` && !/^-\d/.test(arg) && !known.includes(arg.split(`=`)[0]!));
  if (unknown === undefined) {
    const general = argv.find((arg) => GENERAL_OPTIONS.includes(arg));
    return general ? `aws2fa ${general} takes nothing else${SEE_GENERAL_HELP}` : optionLine(argv, defaultCommand, reason);
  }
  const name = unknown.split(`=`)[0]!;
  const near = suggestedOption(name, [...GENERAL_OPTIONS, ...defaultCommand.options]);
  return `unknown option ${name}${near.length > 0 ? `; did you mean ${oneOf(near)}?` : ``}${SEE_GENERAL_HELP}`;
}

// An option the command does not have, or a negative duration that reads as an option.
function optionLine(argv: string[], command: KnownCommand, reason: string): string {
  const end = argv.indexOf(`--`);
  const args = end >= 0 ? argv.slice(0, end) : argv;
  for (const [index, arg] of args.entries()) {
    if (!arg.startsWith(`-`) || arg === `-`) continue;
    const previous = args[index - 1] ?? ``;
    if (/^-\d/.test(arg) && command.options.includes(previous)) {
      if (!DURATION_OPTIONS.includes(previous)) break;
      const parsed = parseDuration(arg);
      if (`problem` in parsed) return `Invalid value for ${previous}: ${parsed.problem}${seeHelp(command.main)}`;
      continue;
    }
    const name = arg.split(`=`)[0]!;
    if (command.options.includes(name) || ALWAYS_ACCEPTED.includes(name)) continue;
    const near = suggestedOption(name, command.options);
    return `unknown option ${name}${near.length > 0 ? `; did you mean ${oneOf(near)}?` : ``}${seeHelp(command.main)}`;
  }
  return reasonLine(reason, command);
}

// The one line (after `aws2fa: `) for a command line that does not parse; `reason` is Clipanion's own.
export function mistakeLine(argv: string[], commands: KnownCommand[], defaultCommand: KnownCommand, reason: string): string {
  const words = leadingWords(argv);
  const typed = commandTyped(words, commands);
  if (typed) return optionLine(argv, typed, reason);
  if (argv[0]?.startsWith(`-`)) return leadingOptionLine(argv, defaultCommand, reason);
  return unknownCommandLine(words, commands) ?? optionLine(argv, defaultCommand, reason);
}

// `aws2fa help WORDS` is `aws2fa WORDS --help` when WORDS name a command (no words: the general help); else the
// line that says what they might have meant.
export function helpRequest(words: string[], commands: KnownCommand[]): { argv: string[] } | { mistake: string } | { help: string } {
  if (words.length === 0) return { argv: [`--help`] };
  const group = words.length === 1 ? groupHelp(words[0]!, commands) : undefined;
  if (group) return { help: group };
  const typed = commandTyped(words, commands);
  if (typed && typed.path.length === words.length) return { argv: [...words, `--help`] };
  if (typed) return { mistake: guessLine(`no command ${words.join(` `)}`, [typed.path]) };
  return { mistake: unknownCommandLine(words, commands) ?? `no command ${words.join(` `)}${SEE_GENERAL_HELP}` };
}

// `aws2fa env --help`, `aws2fa help mfa`: a group word's own help lists its commands.
export function groupHelp(word: string, commands: KnownCommand[]): string | undefined {
  const group = commands.filter((command) => command.path[0] === word && command.path.length > 1);
  if (group.length === 0 || commands.some((command) => command.path.length === 1 && command.path[0] === word)) return undefined;
  const entries = group.map((command) => {
    const path = command.path.join(` `);
    const main = command.main.join(` `);
    const usage = (command.usage ?? `aws2fa ${main}`).replace(`aws2fa ${main}`, `aws2fa ${path}`);
    const same = path === main ? `` : ` (the same as aws2fa ${main})`;
    return `  ${usage}\n    ${(command.description ?? ``).trim()}${same}\n`;
  });
  const more = group.map((command) => `aws2fa ${command.path.join(` `)} --help`);
  return `The commands of aws2fa ${word}:\n\n${entries.join(`\n`)}\nThe options and examples of each: ${oneOf(more)}.\n`;
}
