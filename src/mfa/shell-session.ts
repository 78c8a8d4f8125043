import type { AppContext } from '../context.js';
import { takeHeldSession, type HeldSession } from '../profiles/held.js';
import type { ResolvedProfile } from '../profiles/resolve.js';
import type { SessionKeys } from '../store/credentials.js';
import { rememberSerial } from './session.js';
import { assumeChain, assumeDirect, CHAINED_ROLE_LIMIT, DEFAULT_ROLE_SECONDS, DEFAULT_ROOT_SECONDS, rootSessionFor } from './roles.js';
import { printableLines } from '../printable.js';

export interface ShellSessionRequest {
  code?: string | undefined;
  serial?: string | undefined;
  /** --duration when given: the session's length for a plain profile, the role session's for a role profile */
  durationSeconds?: number | undefined;
  /** only the session the shell holds: never a code, never the terminal */
  renew?: boolean;
  /** the command run (`env login`, `exec`), named when a code is missing */
  command: string;
}

export interface ShellSession {
  /** what goes into the shell's (or the command's) environment */
  keys: SessionKeys;
  /** the root session behind a role session (AWS2FA_ROOT_PROFILE / AWS2FA_ROOT_EXPIRES) */
  root?: { profile: string; expiration: Date };
  /** the root session the shell hook may hold for later runs */
  held?: HeldSession;
}

// The session of a named profile, plain or role, for env login and exec: nothing is written to any file.
export async function sessionForShell(context: AppContext, profile: ResolvedProfile, request: ShellSessionRequest): Promise<ShellSession> {
  const held = await takeHeldSession(context.env);
  const holdable = (keys: SessionKeys): HeldSession => ({ profile: profile.root, credentials: profile.files.credentials, keys });
  if (profile.hops.length === 0) {
    const root = await rootSessionFor(context, profile, { ...request, held, durationSeconds: request.durationSeconds ?? DEFAULT_ROOT_SECONDS });
    if (root.askedSerial) await rememberSerial(profile, root.askedSerial);
    return { keys: root.keys, held: holdable(root.keys) };
  }
  const asked = request.durationSeconds ?? profile.durationSeconds ?? DEFAULT_ROLE_SECONDS;
  if (profile.hops.length === 1 && asked > CHAINED_ROLE_LIMIT && !request.renew) {
    return { keys: await assumeDirect(context, profile, request, asked) };
  }
  const root = await rootSessionFor(context, profile, { ...request, held, durationSeconds: DEFAULT_ROOT_SECONDS });
  if (asked > CHAINED_ROLE_LIMIT) {
    const why = request.renew ? `it is renewed from the root's session` : `it is a chain of ${profile.hops.length} roles`;
    context.stderr.write(
      printableLines(`aws2fa: note: ${profile.name} gets ${CHAINED_ROLE_LIMIT} s, not the ${asked} s asked: ${why}, and AWS limits a role assumed from another session to 1 hour`),
    );
  }
  const keys = await assumeChain(context, profile, root.keys, Math.min(asked, CHAINED_ROLE_LIMIT), request.serial);
  if (root.askedSerial) await rememberSerial(profile, root.askedSerial);
  return { keys, root: { profile: profile.root, expiration: root.keys.expiration }, held: holdable(root.keys) };
}
