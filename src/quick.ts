import { HOOK_SHELLS, readHook, type HookShell } from './shell/hooks.js';
import { VERSION } from './version.js';

// `aws2fa init bash` runs at every shell start and `--version` in scripts: both answer from a file or a constant,
// so the launcher serves them from this small entry without loading Clipanion and the commands. Anything else,
// or any other spelling, returns undefined and goes to the full CLI, which gives the same answers.
export function quickAnswer(argv: string[]): string | undefined {
  if (argv.length === 1 && (argv[0] === `--version` || argv[0] === `-v`)) return `${VERSION}\n`;
  const shell = argv[1] as HookShell;
  if (argv.length === 2 && argv[0] === `init` && HOOK_SHELLS.includes(shell)) return readHook(shell);
  return undefined;
}
