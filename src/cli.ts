import { homedir } from 'node:os';
import { isatty } from 'node:tty';
import { Builtins, Cli, type CommandClass } from 'clipanion';
import { CompleteCommand } from './commands/complete.js';
import { ConsoleCommand } from './commands/console.js';
import { EnvLoginCommand } from './commands/env/login.js';
import { EnvLogoutCommand } from './commands/env/logout.js';
import { ExecCommand } from './commands/exec.js';
import { HelpCommand } from './commands/help.js';
import { InitCommand } from './commands/init.js';
import { DefaultLoginCommand, LoginCommand } from './commands/login.js';
import { LogoutCommand } from './commands/logout.js';
import { RotateCommand } from './commands/rotate.js';
import { StatusCommand } from './commands/status.js';
import type { AppContext } from './context.js';
import { debugLast, namePlaceholders, withOperands } from './cli/usage.js';
import { commandsNear, helpRequest, mistakeLine, type KnownCommand } from './cli/mistakes.js';
import { splitExecLine, type OptionShape } from './exec/argv.js';
import { ENDING_SIGNALS, InterruptedError, type EndingSignal } from './errors.js';
import { filesWritten, removeHeldFiles, unfinishedWork, writesSettled } from './store/in-flight.js';
import { abandonQuestion, terminalOn } from './terminal.js';
import { VERSION } from './version.js';
import { printable } from './printable.js';

type Commands = Array<CommandClass<AppContext>>;

// In registration order: Clipanion lists candidates, and --help commands of one category, in that order.
const COMMANDS: Commands = [LoginCommand, DefaultLoginCommand, LogoutCommand, StatusCommand, EnvLoginCommand, EnvLogoutCommand, ExecCommand, ConsoleCommand, RotateCommand, InitCommand, HelpCommand, CompleteCommand];
const EVERY_COMMAND: Commands = [Builtins.HelpCommand, Builtins.VersionCommand, ...COMMANDS];

// Every usage Clipanion prints (--help, the general help, the build's pre-rendered help) comes through here.
class AppCli extends Cli<AppContext> {
  protected override getUsageByIndex(...args: Parameters<Cli<AppContext>['getUsageByIndex']>): ReturnType<Cli<AppContext>['getUsageByIndex']> {
    const { usage, options } = super.getUsageByIndex(...args);
    const named = options.map((option) => ({ ...option, definition: namePlaceholders(option.definition) }));
    const debugAtEnd = [...named.filter((option) => option.definition !== `--debug`), ...named.filter((option) => option.definition === `--debug`)];
    const [index, { detailed = true } = {}] = args;
    const operands = detailed ? this.commandAt(index)?.operands : undefined;
    const shown = debugLast(namePlaceholders(usage));
    return { usage: operands ? withOperands(shown, operands, options.length > 0) : shown, options: debugAtEnd };
  }

  // Clipanion keeps its commands in `registrations` (scripts/build.mjs reads it too).
  private get registered() {
    return (this as unknown as { registrations: Map<CommandClass<AppContext>, { index: number; builder: { options: OptionShape[] } }> }).registrations;
  }

  private commandAt(index: number): (CommandClass<AppContext> & { operands?: string }) | undefined {
    for (const [command, registration] of this.registered) if (registration.index === index) return command;
    return undefined;
  }

  // The options of a command, hidden ones too, as Clipanion parses them; none when it is not registered.
  optionsOf(command: CommandClass<AppContext>): OptionShape[] {
    return this.registered.get(command)?.builder.options ?? [];
  }
}

export function buildCli(colors = false, commands: Commands = EVERY_COMMAND): AppCli {
  const cli = new AppCli({ binaryLabel: `aws2fa`, binaryName: `aws2fa`, binaryVersion: VERSION, enableColors: colors });
  for (const command of commands) cli.register(command);
  return cli;
}

// Clipanion compiles one state machine out of every registered command at each run: most of its start-up time.
// When argv starts with a plain word, only the commands with a path starting with that word can match, and of those
// that parse, the longest path wins: the default command (path []) is a candidate only when no path starts with the
// word, and the builtins (-h, -v) never are. Options may precede a path, so an option first needs every command.
// What fails to parse is parsed again with every command, for the same error, or the same default command, as ever.
function candidatesFor(argv: string[]): Commands {
  const first = argv[0] ?? ``;
  if (first.startsWith(`-`)) return EVERY_COMMAND;
  const word = COMMANDS.some((command) => command.paths?.some((path) => path[0] === first)) ? first : ``;
  return COMMANDS.filter((command) => command.paths?.some((path) => (path[0] ?? ``) === word));
}

// Clipanion's parse errors list every candidate usage; the reason of the best candidate (they come best first)
// says it in one line.
function parseErrorReason(error: unknown): string {
  const candidates = (error as { candidates?: Array<{ reason: string | null }> }).candidates;
  const reason = candidates?.find((candidate) => candidate.reason)?.reason;
  return (reason ?? (error instanceof Error ? error.message : String(error))).split('\n')[0]!.trim();
}

// Every path of every command (aliases too), with its options when a full Cli is at hand to list them.
function knownCommands(cli?: Cli<AppContext>): KnownCommand[] {
  const definitions = cli?.definitions() ?? [];
  return COMMANDS.flatMap((command) => {
    // Hidden commands (`__complete`, for the hooks) are never suggested.
    const paths = (command.paths ?? []).filter((path) => path.length > 0 && !path[0]!.startsWith(`__`));
    const main = paths[0];
    if (!main) return [];
    const usage = definitions.find((definition) => definition.path === `aws2fa ${main.join(' ')}`);
    const options = (usage?.options ?? []).flatMap((option) => option.definition.split(' ')[0]!.split(','));
    const needs = (command as { needs?: string }).needs;
    return paths.map((path) => ({ path, main, options, ...(usage ? { usage: usage.usage, description: usage.description } : {}), ...(needs ? { needs } : {}) }));
  });
}

// A command line that does not parse: one line naming what was probably meant.
function mistakeFor(argv: string[], error: unknown, cli: Cli<AppContext>): string {
  const commands = knownCommands(cli);
  const login = commands.find((command) => command.path.join(' ') === 'login')!;
  return mistakeLine(argv, commands, { ...login, path: [] }, parseErrorReason(error));
}

const HELP_FLAGS = [`--help`, `-h`];
// The first words of commands that are only a group (env login, env logout; mfa login, mfa logout).
const GROUP_WORDS = [...new Set(COMMANDS.flatMap((command) => command.paths ?? []).filter((path) => path.length > 1).map((path) => path[0]!))].filter(
  (word) => !COMMANDS.some((command) => command.paths?.some((path) => path.length === 1 && path[0] === word)),
);

// `aws2fa help env login`, `aws2fa --help env login` and `aws2fa help env login --help` all ask for the help of
// env login: the words, or undefined for anything else (`aws2fa help --help` is the help of help itself).
function helpWanted(argv: string[]): string[] | undefined {
  const [first, ...rest] = argv;
  // `aws2fa env --help`: a group word has no --help of its own in Clipanion.
  if (argv.length === 2 && first !== undefined && HELP_FLAGS.includes(rest[0]!) && GROUP_WORDS.includes(first)) return [first];
  if (first !== `help` && !(first !== undefined && HELP_FLAGS.includes(first) && rest.length > 0)) return undefined;
  if (first === `help` && rest.length === 1 && HELP_FLAGS.includes(rest[0]!)) return undefined;
  const words = rest.filter((arg) => !HELP_FLAGS.includes(arg));
  return words.some((word) => word.startsWith(`-`)) ? undefined : words;
}

// Parse errors too go to stderr as one line: Clipanion would print them to stdout.
export async function runCli(argv: string[], context: AppContext): Promise<number> {
  const colors = context.colorDepth > 1;
  const wanted = helpWanted(argv);
  if (wanted) {
    const request = helpRequest(wanted, knownCommands(buildCli()));
    if (`mistake` in request) {
      context.stderr.write(`aws2fa: ${printable(request.mistake)}\n`);
      return 2;
    }
    if (`help` in request) {
      context.stdout.write(request.help);
      return 0;
    }
    argv = request.argv;
  }
  // The general help and the version need no parse, so no state machine; the help lists every command.
  if (argv.length === 1 && (argv[0] === `--help` || argv[0] === `-h`)) return buildCli(colors).run(new Builtins.HelpCommand(), context);
  if (argv.length === 1 && (argv[0] === `--version` || argv[0] === `-v`)) return buildCli(colors, []).run(new Builtins.VersionCommand(), context);
  let cli = buildCli(colors, candidatesFor(argv));
  // exec's command is its own: Clipanion parses only what comes before it.
  const exec = splitExecLine(argv, cli.optionsOf(ExecCommand));
  if (exec && `mistake` in exec) {
    context.stderr.write(`aws2fa: ${exec.mistake}\n`);
    return 2;
  }
  const parsed = exec?.aws2fa ?? argv;
  let command;
  try {
    command = cli.process(parsed, context);
  } catch {
    cli = buildCli(colors);
    try {
      command = cli.process(parsed, context);
    } catch (error) {
      context.stderr.write(`aws2fa: ${printable(mistakeFor(parsed, error, cli))}\n`);
      return 2;
    }
  }
  if (command instanceof ExecCommand) command.commandWords = exec?.command ?? [];
  // `aws2fa statsu`: the default command's PROFILE may be a typo of a command, said if there is no such profile.
  if (command instanceof DefaultLoginCommand && command.profile) command.commandsNear = commandsNear(command.profile, knownCommands()).map((path) => path.join(' '));
  if (command instanceof DefaultLoginCommand) command.generalHelp = () => buildCli(false).usage(null);
  return cli.run(command, context);
}

// Ctrl-C, Ctrl-\, a kill or a closed terminal while waiting for the code or for AWS ends the run at once, with
// 128+N as shells expect. A write that has taken its lock is let finish first (milliseconds), so the message says
// truthfully what was written; our own files still in flight (lock, temporary file) are removed, and exit handlers
// run (mfa_process's group is ended), which Node's default action for these signals would skip. A second signal
// ends at once.
function exitOnInterrupt(): void {
  let interrupted = false;
  const onSignal = (signal: EndingSignal) => {
    // A closed terminal (SIGHUP) fails the message asynchronously: there is nobody to tell then.
    if (!interrupted) process.stderr.on('error', () => undefined);
    const status = new InterruptedError(signal).exitCode;
    const end = () => {
      removeHeldFiles();
      process.exit(status);
    };
    if (interrupted) end();
    interrupted = true;
    abandonQuestion();
    void writesSettled().then(() => {
      const written = filesWritten();
      const what = written.length > 0 ? `interrupted (${signal}) after writing ${written.join(', ')}` : new InterruptedError(signal).message;
      const left = unfinishedWork();
      process.stderr.write(`aws2fa: ${what}${left === undefined ? '' : `; ${left}`}\n`);
      end();
    });
  };
  for (const signal of ENDING_SIGNALS) process.on(signal, () => onSignal(signal));
}

// stdout that cannot take the output (`>/dev/full`, a closed pipe) is one line on stderr, never a stack trace, and it
// says what was written all the same: the file is changed, only the message is lost.
// A command that already failed has said why (env login's deliver() names the lost shell code itself).
function reportLostOutput(): (status: number) => number {
  let lost: NodeJS.ErrnoException | undefined;
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    lost ??= error;
  });
  return (status) => {
    if (!lost || status !== 0) return status;
    const written = filesWritten();
    const what = written.length > 0 ? `; ${written.join(', ')} WAS written` : '';
    process.stderr.write(`aws2fa: could not write the output to stdout (${lost.code ?? lost.message})${what}\n`);
    return 1;
  };
}

// The one place that touches the real process.
export async function main(): Promise<void> {
  exitOnInterrupt();
  const statusAfterOutput = reportLostOutput();
  // The user's environment, before our own setting below: exec hands it on to its command.
  const env = { ...process.env };
  // The AWS SDK warns on every run about Node 20's support window; users must see only our own messages.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  const context: AppContext = {
    // Only when read: Node builds the stream at first use (about 2 ms), and no command reads it. Clipanion keeps
    // the getter through its copies of the context (scripts/build.mjs patches it to).
    get stdin() {
      return process.stdin;
    },
    stdout: process.stdout,
    stderr: process.stderr,
    env,
    colorDepth: process.stdout.isTTY ? process.stdout.getColorDepth() : 1,
    home: process.env.HOME || homedir(),
    now: () => new Date(),
    terminal: isatty(0) ? terminalOn(() => ({ input: process.stdin, output: process.stderr })) : null,
    stdoutIsTerminal: isatty(1),
  };
  const ran = await runCli(process.argv.slice(2), context);
  context.terminal?.release?.();
  // The stream reports a failed write on a later tick.
  await new Promise((resolve) => setImmediate(resolve));
  const status = statusAfterOutput(ran);
  process.exitCode = status;
  // Should a socket or timer of a library linger, still end promptly.
  setTimeout(() => process.exit(status), 2000).unref();
}
