import { fileURLToPath } from 'node:url';
import * as fish from '../../src/shell/fish.js';
import * as posix from '../../src/shell/posix.js';
import type { Shell } from './shells.js';

// The hook files, as users source them.
export const HOOK = {
  sh: fileURLToPath(new URL(`../../shell/aws2fa.sh`, import.meta.url)),
  fish: fileURLToPath(new URL(`../../shell/aws2fa.fish`, import.meta.url)),
};

// Just enough syntax to write one test for all three shells.
export const dialect = (shell: Shell) => {
  const q = shell.kind === `fish` ? fish.quote : posix.quote;
  return {
    q,
    load: shell.kind === `fish` ? `source ${q(HOOK.fish)}` : `. ${q(HOOK.sh)}`,
    strict: { bash: `set -u`, zsh: `setopt nounset`, fish: ``, sh: `set -u` }[shell.kind],
    status: (label: string) => (shell.kind === `fish` ? `echo "${label}=$status"` : `echo "${label}=$?"`),
    show: (name: string) =>
      shell.kind === `fish`
        ? `if set -q ${name}; printf '%s=[%s]\\n' ${name} "$${name}"; else; echo ${name}=unset; end`
        : `if [ "\${${name}+set}" = set ]; then printf '%s=[%s]\\n' ${name} "$${name}"; else echo ${name}=unset; fi`,
    set: (name: string, value: string) => (shell.kind === `fish` ? fish.set(name, value) : posix.set(name, value)),
  };
};
