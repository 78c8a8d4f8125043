import { readFileSync } from 'node:fs';

export const HOOK_SHELLS = [`bash`, `zsh`, `fish`] as const;
export type HookShell = (typeof HOOK_SHELLS)[number];

// The hooks are plain files shipped beside the code: ../shell from the bundle in dist/, ../../shell from src/shell/.
export function readHook(shell: HookShell): string {
  const file = shell === `fish` ? `aws2fa.fish` : `aws2fa.sh`;
  for (const folder of [`../shell/`, `../../shell/`]) {
    try {
      return readFileSync(new URL(folder + file, import.meta.url), `utf8`);
    } catch {
      // try the next layout
    }
  }
  throw new Error(`the shell hook ${file} is missing from this installation`);
}
