import { closeSync, readSync } from 'node:fs';
import type { SessionKeys } from '../store/credentials.js';

// The root's MFA session as the shell hook holds it (INTERFACES.md "Held root session"): one line of printable
// ASCII, `aws2fa-held-1:` + base64url(JSON), handed over on a pipe named by AWS2FA_HELD_FD. What arrives there is
// treated as hostile: anything malformed is no held session at all.

export interface HeldSession {
  profile: string;
  /** the credentials file the root profile lives in: a session of another file's profile of the same name is not it */
  credentials: string;
  keys: SessionKeys;
}

const PREFIX = 'aws2fa-held-1:';
const MAX_BYTES = 64 * 1024;
const SESSION_KEY_ID = /^ASIA[A-Z0-9]{16}$/;
const PLAIN = /^[\x21-\x7e]+$/;

export function encodeHeld(held: HeldSession): string {
  const json = JSON.stringify({
    profile: held.profile,
    credentials: held.credentials,
    accessKeyId: held.keys.accessKeyId,
    secretAccessKey: held.keys.secretAccessKey,
    sessionToken: held.keys.sessionToken,
    expires: Math.floor(held.keys.expiration.getTime() / 1000),
  });
  return PREFIX + Buffer.from(json, 'utf8').toString('base64url');
}

export function decodeHeld(text: string): HeldSession | undefined {
  const line = text.replace(/\n$/, '');
  if (!line.startsWith(PREFIX) || !/^[A-Za-z0-9_-]+$/.test(line.slice(PREFIX.length))) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(line.slice(PREFIX.length), 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const { profile, credentials, accessKeyId, secretAccessKey, sessionToken, expires } = value as Record<string, unknown>;
  const strings = [profile, credentials, accessKeyId, secretAccessKey, sessionToken];
  if (!strings.every((item): item is string => typeof item === 'string' && item.length > 0 && item.length < 8192)) return undefined;
  if (typeof expires !== 'number' || !Number.isSafeInteger(expires) || expires <= 0) return undefined;
  if (/[\u0000-\u001f\u007f]/.test(`${profile}${credentials}`)) return undefined;
  if (!SESSION_KEY_ID.test(accessKeyId as string) || !PLAIN.test(secretAccessKey as string) || !PLAIN.test(sessionToken as string)) return undefined;
  return {
    profile: profile as string,
    credentials: credentials as string,
    keys: {
      accessKeyId: accessKeyId as string,
      secretAccessKey: secretAccessKey as string,
      sessionToken: sessionToken as string,
      expiration: new Date(expires * 1000),
    },
  };
}

// A pipe end may come non-blocking (a socket pair from Node, say): wait for it briefly instead of failing.
function readFd(fd: number): string | undefined {
  const chunks: Buffer[] = [];
  let total = 0;
  const waitUntil = Date.now() + 2_000;
  const pause = new Int32Array(new SharedArrayBuffer(4));
  for (;;) {
    const chunk = Buffer.alloc(Math.min(16 * 1024, MAX_BYTES + 1 - total));
    let count: number;
    try {
      count = readSync(fd, chunk, 0, chunk.length, null);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EAGAIN' && Date.now() < waitUntil) {
        Atomics.wait(pause, 0, 0, 5);
        continue;
      }
      return undefined;
    }
    if (count === 0) break;
    chunks.push(chunk.subarray(0, count));
    total += count;
    if (total > MAX_BYTES) return undefined;
  }
  return Buffer.concat(chunks).toString('latin1');
}

// Read once per run, and the descriptor closed at once: nothing spawned later inherits it.
let taken: { env: object; held: HeldSession | undefined } | undefined;

export function takeHeldSession(env: Record<string, string | undefined>): HeldSession | undefined {
  if (taken?.env === env) return taken.held;
  const named = env.AWS2FA_HELD_FD;
  let held: HeldSession | undefined;
  if (named !== undefined && /^[3-9]$/.test(named)) {
    const fd = Number(named);
    try {
      const text = readFd(fd);
      held = text === undefined ? undefined : decodeHeld(text);
    } finally {
      try {
        closeSync(fd);
      } catch {
        // not open: nothing held
      }
    }
  }
  taken = { env, held };
  return held;
}
