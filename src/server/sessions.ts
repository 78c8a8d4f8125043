import type { AppContext } from '../context.js';
import type { ExecRequest } from '../exec/session.js';
import { sessionForShell } from '../mfa/shell-session.js';
import { assumeChain, CHAINED_ROLE_LIMIT } from '../mfa/roles.js';
import { resolveProfile, type ResolvedProfile } from '../profiles/resolve.js';
import type { SessionKeys } from '../store/credentials.js';

export interface ServerSessions {
  profile: ResolvedProfile;
  /** the session served first */
  first: SessionKeys;
  /** the root's MFA session, kept in this process's memory only */
  root: SessionKeys;
  /** a role profile: its session assumed again from the root session */
  renew?: () => Promise<SessionKeys>;
}

// The root's MFA session once, from where env login takes it (the hook's held session, the root's file-mode
// session, a new code), and the first role session from it. Role sessions always come from that root session,
// each for AWS's 1 h limit of a role assumed from a session: never directly with a code, which would leave
// nothing to renew from.
export async function sessionsForServer(context: AppContext, request: ExecRequest): Promise<ServerSessions> {
  const profile = await resolveProfile(context, request);
  const isRole = profile.hops.length > 0;
  if (isRole && request.durationSeconds !== undefined && request.durationSeconds !== CHAINED_ROLE_LIMIT) {
    context.stderr.write(`aws2fa: note: with --server, each session of ${profile.name} lasts ${CHAINED_ROLE_LIMIT} s and is renewed while the command runs; --duration is not used\n`);
  }
  const session = await sessionForShell(context, profile, {
    ...request,
    durationSeconds: isRole ? CHAINED_ROLE_LIMIT : request.durationSeconds,
    command: `exec --server`,
  });
  const root = session.held?.keys ?? session.keys;
  if (!isRole) return { profile, first: session.keys, root };
  return { profile, first: session.keys, root, renew: () => assumeChain(context, profile, root, CHAINED_ROLE_LIMIT, request.serial) };
}
