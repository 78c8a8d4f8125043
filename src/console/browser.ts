import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, isAbsolute, join } from 'node:path';
import { UserError } from '../errors.js';
import { printable } from '../printable.js';

// Opening the sign-in URL in the user's browser: $BROWSER (a list of commands separated by `:`, `%s` standing for
// the URL, as Python's webbrowser and xdg-utils read it), else `xdg-open` (Linux and the BSDs) or `open` (macOS).
//
// The URL goes to the browser as one argv word. It holds a sign-in token (good for 15 minutes), so while the
// launcher runs it is visible to `ps` on this machine: that is how every peer hands it over (aws-vault login,
// granted's assume -c), and there is no other way into `open` or `xdg-open`. It is never written to a file or a
// log, and it is printed only when asked (--print, or stdout not a terminal).

export class NoBrowserError extends UserError {}

export interface Browser {
  /** what the user set or what was found, for messages */
  name: string;
  file: string;
  /** the words after the program, with the URL in place of each `%s` (or appended when there is none) */
  args: (url: string) => string[];
}

// A launcher that has not ended by then is taken to be the browser itself, left running.
const LAUNCH_WAIT_MS = 5_000;

// `firefox --new-window %s`, `"/Applications/Google Chrome.app/Contents/MacOS/Google Chrome"`: words as a shell
// splits them, with quotes and backslashes, and nothing else of a shell.
export function splitCommand(line: string): string[] {
  const words: string[] = [];
  let word: string | undefined;
  let quote: `'` | `"` | undefined;
  for (let i = 0; i < line.length; i++) {
    const char = line[i]!;
    if (quote) {
      if (char === quote) quote = undefined;
      else if (char === '\\' && quote === '"' && i + 1 < line.length) word = (word ?? '') + line[++i];
      else word = (word ?? '') + char;
    } else if (char === `'` || char === `"`) {
      quote = char;
      word ??= '';
    } else if (char === '\\' && i + 1 < line.length) word = (word ?? '') + line[++i];
    else if (/\s/.test(char)) {
      if (word !== undefined) words.push(word);
      word = undefined;
    } else word = (word ?? '') + char;
  }
  if (word !== undefined) words.push(word);
  return words;
}

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

export function findExecutable(name: string, searchPath: string | undefined): string | undefined {
  if (name.includes('/')) return isAbsolute(name) && executable(name) ? name : undefined;
  for (const folder of (searchPath ?? '').split(delimiter)) {
    if (folder && isAbsolute(folder) && executable(join(folder, name))) return join(folder, name);
  }
  return undefined;
}

function fromBrowserVariable(entry: string, searchPath: string | undefined): Browser | undefined {
  const [program, ...rest] = splitCommand(entry);
  const file = program ? findExecutable(program, searchPath) : undefined;
  if (!file) return undefined;
  const substituted = rest.some((word) => word.includes('%s'));
  return { name: program!, file, args: (url) => (substituted ? rest.map((word) => word.split('%s').join(url)) : [...rest, url]) };
}

// Found before anything is asked or sent: without a browser, no code is spent for a URL nobody could open.
export function findBrowser(env: Record<string, string | undefined>, platform: NodeJS.Platform = process.platform): Browser {
  const variable = env.BROWSER?.trim();
  for (const entry of (variable ?? '').split(':').filter((each) => each.trim())) {
    const browser = fromBrowserVariable(entry, env.PATH);
    if (browser) return browser;
  }
  const launcher = platform === 'darwin' ? 'open' : 'xdg-open';
  const file = findExecutable(launcher, env.PATH);
  if (file) return { name: launcher, file, args: (url) => [url] };
  const looked = variable ? `none of BROWSER=${printable(variable)} and no ${launcher}` : `BROWSER is not set and there is no ${launcher}`;
  throw new NoBrowserError(`no browser to open the console in (${looked} on PATH): set BROWSER, or run aws2fa console --print … and open the URL yourself`);
}

// Resolves once the launcher has ended well, or is still running after a moment (then it is the browser).
export async function openInBrowser(browser: Browser, url: string, env: Record<string, string | undefined>): Promise<void> {
  const { spawn } = await import('node:child_process');
  const failed = (why: string) =>
    new NoBrowserError(`could not open the console in the browser (${printable(browser.name)} ${why}): run aws2fa console --print … and open the URL yourself`);
  await new Promise<void>((resolve, reject) => {
    // Its own process group, no terminal: a Ctrl-C for aws2fa is not for the browser, nor is the terminal's input.
    const child = spawn(browser.file, browser.args(url), { stdio: 'ignore', detached: true, env: env as NodeJS.ProcessEnv });
    const timer = setTimeout(() => {
      child.removeAllListeners();
      child.on('error', () => undefined);
      child.unref();
      resolve();
    }, LAUNCH_WAIT_MS);
    child.once('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(failed(`could not be started: ${error.code ?? 'error'}`));
    });
    child.once('exit', (status, signal) => {
      clearTimeout(timer);
      if (status === 0) resolve();
      else reject(failed(signal ? `ended by ${signal}` : `exited with status ${status}`));
    });
  });
}
