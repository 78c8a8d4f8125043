import { quote } from '../shell/posix.js';

// How exec's command line divides: `aws2fa exec [OPTION…] PROFILE [CODE] [OPTION…] [--] COMMAND [ARG…]`. The first
// word is the profile, a 6-digit word right after it the code, and from the next word on everything is the command's:
// aws2fa's options come before the command (or before `--`), never inside it, so a command's own `--region`, or a
// 6-digit word after `--`, stays the command's. Only the part before the command is given to Clipanion.

// An option as Clipanion compiled it: its names, and how many values follow it.
export interface OptionShape {
  names: string[];
  arity: number;
}

export type ExecLine = { aws2fa: string[]; command: string[] } | { mistake: string };

const PATH = `exec`;
// Options that name the profile in place of the PROFILE word (`aws2fa exec --profile prod -- …`).
const PROFILE_OPTIONS = [`--profile`, `-p`];
// Accepted by every command without being declared.
const HELP_OPTIONS = [`-h`, `--help`];

const isOption = (word: string) => word.startsWith(`-`) && word !== `-`;
const isCode = (word: string) => /^\d{6}$/.test(word);
const nameOf = (word: string) => word.split(`=`)[0]!;
const shellWord = (word: string) => (/^[\w@%+=:,./-]+$/.test(word) ? word : quote(word));
const typed = (words: string[]) => words.map(shellWord).join(` `);

// Undefined when argv is not an exec command line. Without `--`, an option-like word inside the command is refused
// with the line to type: it may have been meant for aws2fa (`exec prod terraform plan --duration 1h`), and only
// `--` says it is not.
export function splitExecLine(argv: string[], options: OptionShape[]): ExecLine | undefined {
  const known = new Set([...options.flatMap((option) => option.names), ...HELP_OPTIONS]);
  const valued = new Set(options.filter((option) => option.arity > 0).flatMap((option) => option.names));
  let path = false;
  let profile = false;
  let code = false;
  let unknownOption = false;
  for (let index = 0; index < argv.length; index++) {
    const word = argv[index]!;
    if (word === `--`) return path ? { aws2fa: argv.slice(0, index), command: argv.slice(index + 1) } : undefined;
    if (isOption(word)) {
      const name = nameOf(word);
      if (PROFILE_OPTIONS.includes(name) && known.has(name)) profile = true;
      if (!known.has(name)) unknownOption = true;
      if (!word.includes(`=`) && valued.has(name)) index++;
      continue;
    }
    if (!path) {
      if (word !== PATH) return undefined;
      path = true;
    } else if (!profile) profile = true;
    else if (!code && isCode(word)) code = true;
    else {
      const [aws2fa, command] = [argv.slice(0, index), argv.slice(index)];
      // A typo among aws2fa's own options is said first, by the usual parse.
      const inside = unknownOption ? -1 : command.findIndex((arg, at) => at > 0 && isOption(arg) && arg !== `--`);
      return inside < 0 ? { aws2fa, command } : { mistake: optionInCommandLine(aws2fa, command, inside, known) };
    }
  }
  return path ? { aws2fa: argv, command: [] } : undefined;
}

function optionInCommandLine(aws2fa: string[], command: string[], at: number, known: Set<string>): string {
  const word = command[at]!;
  const line = `aws2fa ${typed(aws2fa)} -- ${typed(command)}`;
  if (!known.has(nameOf(word))) return `${word} is not an option of aws2fa exec; to pass it to the command, put -- before it: ${line}`;
  return `${word} comes after the command ${shellWord(command[0]!)}, so it is not aws2fa's: to pass it to the command, put -- before the command: ${line}; to give it to aws2fa, put it before the command`;
}
