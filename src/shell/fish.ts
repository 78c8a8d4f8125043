// fish: inside single quotes only `\\` and `\'` are escapes; nothing else (`$`, `(`, newlines) is special.
import { checkName, checkValue } from './posix.js';

export function quote(value: string): string {
  return `'${checkValue(value).replaceAll(`\\`, `\\\\`).replaceAll(`'`, `\\'`)}'`;
}

export function set(name: string, value: string): string {
  return `set -gx ${checkName(name)} ${quote(value)}`;
}

export function copy(name: string, from: string): string {
  return `set -gx ${checkName(name)} $${checkName(from)}`;
}

// `set -e` of a missing variable fails with status 4 (silently), which would make the sourced code fail;
// an `if` that takes no branch succeeds. Only the global scope: a universal variable is the user's own.
export function unset(name: string): string {
  return ifSet(name, [`set -e -g ${checkName(name)}`]);
}

export function ifSet(name: string, lines: string[]): string {
  return `if set -q -g ${checkName(name)}; ${lines.join(`; `)}; end`;
}

export function ifDefined(name: string, lines: string[], otherwise: string[] = []): string {
  const test = `if set -q -g ${checkName(name)}; ${lines.join(`; `)}`;
  return otherwise.length > 0 ? `${test}; else; ${otherwise.join(`; `)}; end` : `${test}; end`;
}

export function ifEqual(name: string, other: string, lines: string[]): string {
  return `if test "$${checkName(name)}" = "$${checkName(other)}"; ${lines.join(`; `)}; end`;
}

export function ifUnset(name: string, lines: string[]): string {
  return `if not set -q -g ${checkName(name)}; ${lines.join(`; `)}; end`;
}

// Global and unexported (`-u`): no child process sees it.
export function setUnexported(name: string, value: string): string {
  return `set -g -u ${checkName(name)} ${quote(value)}`;
}
