import { homedir } from 'node:os';
import { Builtins, Cli } from 'clipanion';
import { EnvLoginCommand } from './commands/env/login.js';
import { EnvLogoutCommand } from './commands/env/logout.js';
import { InitCommand } from './commands/init.js';
import { DefaultLoginCommand, LoginCommand } from './commands/login.js';
import { LogoutCommand } from './commands/logout.js';
import { StatusCommand } from './commands/status.js';
import type { AppContext } from './context.js';
import { terminalOn } from './terminal.js';
import { VERSION } from './version.js';

export function buildCli(colors = false): Cli<AppContext> {
  const cli = new Cli<AppContext>({ binaryLabel: `aws2fa`, binaryName: `aws2fa`, binaryVersion: VERSION, enableColors: colors });
  const commands = [LoginCommand, DefaultLoginCommand, LogoutCommand, StatusCommand, EnvLoginCommand, EnvLogoutCommand, InitCommand];
  for (const command of [Builtins.HelpCommand, Builtins.VersionCommand, ...commands]) {
    cli.register(command);
  }
  return cli;
}

// Clipanion's parse errors list every candidate usage; the reason of the best candidate (they come best first)
// and a pointer to --help say it in one line.
function parseErrorLine(error: unknown): string {
  const candidates = (error as { candidates?: Array<{ reason: string | null }> }).candidates;
  const reason = candidates?.find((candidate) => candidate.reason)?.reason;
  return (reason ?? (error instanceof Error ? error.message : String(error))).split('\n')[0]!.trim();
}

// Parse errors too go to stderr as one line: Clipanion would print them to stdout.
export async function runCli(argv: string[], context: AppContext): Promise<number> {
  const cli = buildCli(context.colorDepth > 1);
  let command;
  try {
    command = cli.process(argv, context);
  } catch (error) {
    context.stderr.write(`aws2fa: ${parseErrorLine(error)} (see aws2fa --help, or aws2fa COMMAND --help)\n`);
    return 2;
  }
  return cli.run(command, context);
}

// The one place that touches the real process.
export async function main(): Promise<void> {
  // The AWS SDK warns on every run about Node 20's support window; users must see only our own messages.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  const context: AppContext = {
    stdin: process.stdin,
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    colorDepth: process.stdout.isTTY ? process.stdout.getColorDepth() : 1,
    home: process.env.HOME || homedir(),
    now: () => new Date(),
    terminal: process.stdin.isTTY ? terminalOn(process.stdin, process.stderr) : null,
  };
  const status = await runCli(process.argv.slice(2), context);
  process.exitCode = status;
  // Should a socket or timer of a library linger, still end promptly.
  setTimeout(() => process.exit(status), 2000).unref();
}
