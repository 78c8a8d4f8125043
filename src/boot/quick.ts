import { readFileSync } from 'node:fs';
import { HOOK_SHELLS, readHook, type HookShell } from '../shell/hooks.js';
import { VERSION } from '../version.js';

// `aws2fa init bash` runs at every shell start, `--version` and `--help` in scripts and by hand: their answers are
// a file, a constant and a text the build renders from the CLI itself (dist/help.json), so the launcher serves
// them from this small entry without loading Clipanion and the commands. Anything else, or any other spelling,
// returns undefined and goes to the full CLI, which gives the same answers.
export function quickAnswer(argv: string[], colors: boolean): string | undefined {
  if (argv.length !== 1 && argv.length !== 2) return undefined;
  if (argv.length === 1 && (argv[0] === `--version` || argv[0] === `-v`)) return `${VERSION}\n`;
  if (argv.length === 1 && (argv[0] === `--help` || argv[0] === `-h`)) return renderedHelp(colors);
  const shell = argv[1] as HookShell;
  if (argv[0] === `init` && HOOK_SHELLS.includes(shell)) return readHook(shell);
  return undefined;
}

function renderedHelp(colors: boolean): string | undefined {
  try {
    const help = JSON.parse(readFileSync(new URL(`./help.json`, import.meta.url), `utf8`)) as { plain: string; colored: string };
    return colors ? help.colored : help.plain;
  } catch {
    return undefined; // run from the sources: no rendered help beside them
  }
}
