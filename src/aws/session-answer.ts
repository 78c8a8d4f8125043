import { AwsRequestError } from '../errors.js';
import type { SessionKeys } from '../store/credentials.js';

// Every STS answer that carries credentials (GetSessionToken, AssumeRole) goes through sessionFromAnswer before
// anything is written or printed: the values end up in an INI file and in shell code, so a broken or hostile
// endpoint must not choose what goes there.

// The Credentials member of an STS answer, as the SDK parses it.
export interface StsCredentials {
  AccessKeyId?: string | undefined;
  SecretAccessKey?: string | undefined;
  SessionToken?: string | undefined;
  Expiration?: Date | undefined;
}

// ASIA for a session, AKIA should an endpoint hand out long-term keys; 16 capitals or digits follow.
const ACCESS_KEY_ID = /^A(?:SI|KI)A[A-Z0-9]{16}$/;
// Base64 and letters in practice: printable ASCII, no spaces, nothing a shell or an INI line would act on.
const PRINTABLE = /^[\x21-\x7e]+$/;
// GetSessionToken's longest session is 36 h; the slack is the clock skew SigV4 itself tolerates.
const LONGEST_SESSION_MS = 36 * 3600_000;
const CLOCK_SKEW_MS = 15 * 60_000;
// Real tokens are a few KiB. One the kernel cannot pass to a child (Linux takes 128 KiB per environment string,
// macOS 256 KiB for all of them) would make every command in the shell that exported it fail with "Argument list
// too long"; in the credentials file it would break every SDK run the same way.
export const LONGEST_VALUE = 64 * 1024;

// What is wrong with the answer, or undefined. Never quotes a value: they may be secret or hostile.
function flaw(session: SessionKeys, now: Date): string | undefined {
  if (session.sessionToken.length > LONGEST_VALUE) return 'with a session token over 64 KiB (a shell could not pass it on to any command)';
  if (session.secretAccessKey.length > LONGEST_VALUE) return 'with a secret access key over 64 KiB (a shell could not pass it on to any command)';
  if (!ACCESS_KEY_ID.test(session.accessKeyId)) return 'with an access key id that is not ASIA or AKIA and 16 capitals or digits';
  if (!PRINTABLE.test(session.secretAccessKey)) return 'with a secret access key that is not printable ASCII without spaces';
  if (!PRINTABLE.test(session.sessionToken)) return 'with a session token that is not printable ASCII without spaces';
  const expires = session.expiration.getTime();
  if (Number.isNaN(expires)) return 'with an expiration that is not a date';
  if (expires <= now.getTime()) return 'with a session that has already expired (check the clock of this machine)';
  if (expires > now.getTime() + LONGEST_SESSION_MS + CLOCK_SKEW_MS) return 'with a session longer than 36 h (check the clock of this machine)';
  return undefined;
}

function refuse(service: string, problem: string): never {
  throw new AwsRequestError(`${service} answered ${problem}; refusing it, nothing was written: try again, and check AWS_ENDPOINT_URL`);
}

// `service` names who answered, for the message: `STS at https://sts.eu-west-1.amazonaws.com`.
export function sessionFromAnswer(credentials: StsCredentials | undefined, service: string, now = new Date()): SessionKeys {
  const { AccessKeyId: accessKeyId, SecretAccessKey: secretAccessKey, SessionToken: sessionToken, Expiration: expiration } = credentials ?? {};
  if (!accessKeyId || !secretAccessKey || !sessionToken || !expiration) refuse(service, 'without credentials');
  const session = { accessKeyId, secretAccessKey, sessionToken, expiration };
  const problem = flaw(session, now);
  if (problem) refuse(service, problem);
  return session;
}
