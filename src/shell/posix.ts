// POSIX sh, bash, zsh (and dash): single quotes keep every byte literal; a quote is written '\''.
// Double quotes are never used around a value: `$`, backticks and `\` stay live inside them.

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

// The shell copies one variable into another: the double quotes hold a reference, never a printed value.
export function copy(name: string, from: string): string {
  return `export ${checkName(name)}="$${checkName(from)}"`;
}

export function unset(name: string): string {
  return `unset ${checkName(name)}`;
}

// `${NAME-}` so the test works under `set -u`.
export function ifSet(name: string, lines: string[]): string {
  return `if [ -n "\${${checkName(name)}-}" ]; then ${lines.join(`; `)}; fi`;
}

// Defined at all, even empty: what `env logout` must tell apart from unset.
export function ifDefined(name: string, lines: string[], otherwise: string[] = []): string {
  const test = `if [ "\${${checkName(name)}+set}" = set ]; then ${lines.join(`; `)}`;
  return otherwise.length > 0 ? `${test}; else ${otherwise.join(`; `)}; fi` : `${test}; fi`;
}

// `${NAME-}` so that an unset variable compares as empty under `set -u`.
export function ifEqual(name: string, other: string, lines: string[]): string {
  return `if [ "\${${checkName(name)}-}" = "\${${checkName(other)}-}" ]; then ${lines.join(`; `)}; fi`;
}

export function ifUnset(name: string, lines: string[]): string {
  return `if [ -z "\${${checkName(name)}-}" ]; then ${lines.join(`; `)}; fi`;
}

// A shell variable, never exported: unset first drops an export attribute it may have come with, and under
// `set -a` (zsh `setopt allexport`) an assignment exports by itself, so allexport is off while it is made. zsh gets
// `typeset -g`, so that setting it from inside the hook's function warns nobody under warn_create_global, then `+x`
// alone, which takes the export back (allexport wins over a `+x` given with the value).
export function setUnexported(name: string, value: string, zsh: boolean): string {
  const variable = checkName(name);
  if (zsh) return `typeset -g +x ${variable}=${quote(value)}\ntypeset -g +x ${variable}`;
  const assign = `${variable}=${quote(value)}`;
  return `unset ${variable}\ncase $- in *a*) set +a; ${assign}; set -a ;; *) ${assign} ;; esac`;
}
