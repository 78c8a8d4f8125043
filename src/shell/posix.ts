// POSIX sh, bash, zsh (and dash): single quotes keep every byte literal; a quote is written '\''.
// Double quotes are never used: `$`, backticks and `\` stay live inside them.

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function checkName(name: string): string {
  if (!NAME.test(name)) throw new Error(`not a valid shell variable name: ${JSON.stringify(name)}`);
  return name;
}

export function checkValue(value: string): string {
  // A shell variable cannot hold NUL: the shell would silently cut the value there.
  if (value.includes(`\0`)) throw new Error(`a shell variable cannot hold a NUL character`);
  return value;
}

export function quote(value: string): string {
  return `'${checkValue(value).replaceAll(`'`, `'\\''`)}'`;
}

export function set(name: string, value: string): string {
  return `export ${checkName(name)}=${quote(value)}`;
}

// A shell variable only: no child process sees it.
export function setUnexported(name: string, value: string): string {
  return `${checkName(name)}=${quote(value)}`;
}

export function unset(name: string): string {
  return `unset ${checkName(name)}`;
}

// `${NAME-}` so the test works under `set -u`.
export function ifSet(name: string, lines: string[]): string {
  return `if [ -n "\${${checkName(name)}-}" ]; then ${lines.join(`; `)}; fi`;
}
