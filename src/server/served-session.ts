import { printable } from '../printable.js';
import type { SessionKeys } from '../store/credentials.js';
import { rfc3339, secondsUntil } from '../time.js';

// botocore refreshes container credentials 15 minutes before they expire (its advisory refresh): a session with
// less left is renewed before it is served, so that the command's SDK never asks twice for one about to end.
export const RENEW_BELOW_SECONDS = 15 * 60;
// A failed renewal is not tried again at every request while the session in hand still works.
const RETRY_AFTER_MS = 60_000;

export interface ServedSessionOptions {
  /** the profile named on the command line, in every message */
  profile: string;
  /** the session handed out first: the role's (assumed at start), or a plain profile's MFA session */
  first: SessionKeys;
  /** the end of the root's MFA session: no role session can be assumed after it */
  rootExpiration: Date;
  /** a role profile: assumes the role again from the root session (each at most 1 h); none for a plain profile */
  renew?: () => Promise<SessionKeys>;
  now: () => Date;
}

export type Served = { keys: SessionKeys } | { ended: string } | { failed: string };

// What the credential server hands out at each request: the same session while it has 15 minutes left, else a
// renewed one (a role), else, once nothing valid is left, why and what to do.
export function servedSession(options: ServedSessionOptions): () => Promise<Served> {
  const { renew, now } = options;
  // Shown by the command's SDK: no control character of a name reaches its terminal.
  const profile = printable(options.profile);
  let current = options.first;
  let renewing: Promise<void> | undefined;
  let failure: { reason: string; at: number } | undefined;
  const again = `run aws2fa exec --server ${profile} again`;

  const renewOnce = (): Promise<void> =>
    (renewing ??= renew!()
      .then(
        (keys) => {
          current = keys;
          failure = undefined;
        },
        (error: unknown) => {
          failure = { reason: printable(error instanceof Error ? error.message : String(error)), at: now().getTime() };
        },
      )
      .finally(() => (renewing = undefined)));

  return async () => {
    if (secondsUntil(current.expiration, now()) >= RENEW_BELOW_SECONDS) return { keys: current };
    const rootLeft = secondsUntil(options.rootExpiration, now()) > 0;
    const stillValid = () => secondsUntil(current.expiration, now()) > 0;
    const waitAfterFailure = failure !== undefined && stillValid() && now().getTime() - failure.at < RETRY_AFTER_MS;
    if (renew && rootLeft && !waitAfterFailure) await renewOnce();
    if (stillValid()) return { keys: current };
    if (renew && rootLeft && failure) return { failed: `aws2fa could not renew the session of ${profile} (${failure.reason}); ${again}` };
    const whose = renew ? `the MFA session behind ${profile}` : `the MFA session of ${profile}`;
    return { ended: `${whose} ended at ${rfc3339(renew ? options.rootExpiration : current.expiration)}; ${again}` };
  };
}
