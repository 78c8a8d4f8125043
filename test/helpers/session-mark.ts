import { createHash } from 'node:crypto';

// The line aws2fa adds to [PROFILE::source-profile] at each login: the session's key id and the first 16 hex digits
// of the SHA-256 of its secret (computed here on its own, not with the code under test).
export function sessionMarkLine(session: { accessKeyId: string; secretAccessKey: string }): string {
  return `aws2fa_session = ${session.accessKeyId} sha256:${createHash('sha256').update(session.secretAccessKey).digest('hex').slice(0, 16)}`;
}

export const SESSION_MARK = /aws2fa_session = ASIA[A-Z0-9]{16} sha256:[0-9a-f]{16}/;
