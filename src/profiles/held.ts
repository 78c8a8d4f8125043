import { fstatSync } from 'node:fs';
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

// The pipe is read through libuv, never with a blocking read: a writer that never closes its end costs at most
// READ_BOUND_MS, not a hung prompt. Only a pipe the launcher let through (src/boot/held-descriptor.ts: descriptor 3,
// passed by the shell, AWS2FA_HELD_FD removed otherwise) is touched at all: anything else may be Node's own.
const READ_BOUND_MS = 2_000;

async function readFd(fd: number): Promise<string | undefined> {
  try {
    const kind = fstatSync(fd);
    if (!kind.isFIFO() && !kind.isSocket()) return undefined;
  } catch {
    return undefined; // not open
  }
  const { Socket } = await import('node:net');
  return new Promise((resolve) => {
    const stream = new Socket({ fd, readable: true, writable: false });
    const chunks: Buffer[] = [];
    let total = 0;
    const finish = (value: string | undefined) => {
      clearTimeout(timer);
      stream.removeAllListeners('data');
      stream.destroy(); // closes the descriptor
      resolve(value);
    };
    const timer = setTimeout(() => finish(undefined), READ_BOUND_MS);
    stream.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      total += chunk.length;
      if (total > MAX_BYTES) finish(undefined);
    });
    stream.on('end', () => finish(Buffer.concat(chunks).toString('latin1')));
    stream.on('error', () => finish(undefined));
  });
}

// Read once per run, and the descriptor closed at once: nothing spawned later inherits it.
const taken = new WeakMap<object, Promise<HeldSession | undefined>>();

export function takeHeldSession(env: Record<string, string | undefined>): Promise<HeldSession | undefined> {
  let held = taken.get(env);
  if (!held) {
    const named = env.AWS2FA_HELD_FD;
    held = named === `3` ? readFd(Number(named)).then((text) => (text === undefined ? undefined : decodeHeld(text))) : Promise.resolve(undefined);
    taken.set(env, held);
  }
  return held;
}
