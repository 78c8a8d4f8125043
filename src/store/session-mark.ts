import { createRequire } from 'node:module';
import type { AccessKeys } from './credentials.js';

// What aws2fa wrote into [PROFILE] at its last login, kept in the backup section beside the long-term keys:
// the session's key id and a digest of its secret (never the secret; the digest cannot give it back). Without it a
// half-done rotation (`aws configure set` of one key while logged in) cannot be told from an untouched session:
// an STS secret looks like any other. `aws2fa_session = ASIA… sha256:0123456789abcdef`
export const SESSION_MARK_KEY = 'aws2fa_session';

export interface SessionMark {
  accessKeyId: string;
  secretDigest: string;
}

// node:crypto is loaded when a digest is needed, not at every start (status, --help never need one); synchronously,
// as the store's reads and edits are.
let nodeCrypto: typeof import('node:crypto') | undefined;

function digestOf(secret: string): string {
  nodeCrypto ??= createRequire(process.execPath)('node:crypto') as typeof import('node:crypto');
  // 64 bits: enough to tell a new secret from the session's, too few to be worth anything to anyone.
  return nodeCrypto.createHash('sha256').update(secret).digest('hex').slice(0, 16);
}

export function markOf(session: AccessKeys): string {
  return `${session.accessKeyId} sha256:${digestOf(session.secretAccessKey)}`;
}

export function readMark(value: string | undefined): SessionMark | undefined {
  const parsed = /^(\S+) sha256:([0-9a-f]{16})$/.exec(value ?? '');
  return parsed ? { accessKeyId: parsed[1]!, secretDigest: parsed[2]! } : undefined;
}

export function isSessionSecret(mark: SessionMark, secret: string): boolean {
  return digestOf(secret) === mark.secretDigest;
}
