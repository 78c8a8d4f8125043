import type { AppContext } from '../context.js';
import { sessionForShell, type ShellSessionRequest } from '../mfa/shell-session.js';
import { resolveProfile, type ProfileRequest } from '../profiles/resolve.js';
import type { EnvSession } from '../shell/index.js';

export type ExecRequest = ProfileRequest & Omit<ShellSessionRequest, 'command'>;

// The session exec gives its command, from where env login would take it (held by the hook, the root's file-mode
// session, a new code): the same function env login uses. The one place exec gets a session.
export async function sessionForExec(context: AppContext, request: ExecRequest): Promise<EnvSession> {
  const profile = await resolveProfile(context, request);
  const session = await sessionForShell(context, profile, { ...request, command: `exec` });
  return {
    profile: profile.name,
    ...session.keys,
    ...(profile.profileRegion ? { region: profile.profileRegion } : {}),
    ...(session.root ? { root: session.root } : {}),
  };
}
