// fish: inside single quotes only `\\` and `\'` are escapes; nothing else (`$`, `(`, newlines) is special.
import { checkName, checkValue } from './posix.js';

export function quote(value: string): string {
  return `'${checkValue(value).replaceAll(`\\`, `\\\\`).replaceAll(`'`, `\\'`)}'`;
}

export function set(name: string, value: string): string {
  return `set -gx ${checkName(name)} ${quote(value)}`;
}

// Global, not exported: no child process sees it.
export function setUnexported(name: string, value: string): string {
  return `set -g ${checkName(name)} ${quote(value)}`;
}

// `set -e` of a missing variable fails with status 4 (silently), which would make the sourced code fail;
// an `if` that takes no branch succeeds. Only the global scope: a universal variable is the user's own.
export function unset(name: string): string {
  return ifSet(name, [`set -e -g ${checkName(name)}`]);
}

export function ifSet(name: string, lines: string[]): string {
  return `if set -q -g ${checkName(name)}; ${lines.join(`; `)}; end`;
}
