import { FILES_VARIABLE, REGION_MARKER, REGION_VARIABLES, ROOT_VARIABLES, SHADOWING, sessionVariables, type EnvSession } from '../shell/index.js';

// Only for the one aws2fa run the hook started: the command must not pass them on to an aws2fa it runs.
const HOOK_VARIABLES = [`AWS2FA_HOOK`, `AWS2FA_HELD_FD`];

// The command's environment: the user's own, changed exactly as `eval "$(aws2fa env login)"` would change it.
export function commandEnvironment(env: Record<string, string | undefined>, session: EnvSession): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) if (value !== undefined) result[name] = value;
  // A root session named by an earlier env login of a role is not this session's.
  const dropped = [...SHADOWING, ...HOOK_VARIABLES, ...ROOT_VARIABLES, FILES_VARIABLE, ...(!session.region && env[REGION_MARKER] ? REGION_VARIABLES : [])];
  for (const name of dropped) delete result[name];
  return { ...result, ...sessionVariables(session) };
}
