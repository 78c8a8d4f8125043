import type { Writable } from 'node:stream';
import { printable } from './printable.js';

// AWS2FA_DEBUG=1 logs to stderr what a person debugging a login needs: files, profile, region, endpoint, each
// HTTP try with its status and time. Secrets are never passed to it; as a second line of defence every value
// registered with secret() is masked in every line, should one ever slip into a message.

export interface Debug {
  (message: string): void;
  readonly enabled: boolean;
  secret(...values: Array<string | undefined>): void;
}

interface DebugHost {
  env: Record<string, string | undefined>;
  stderr: Writable;
}

const MASK = '***';
// Shorter values are not real secrets, and masking them would garble every line.
const SHORTEST_SECRET = 4;

const loggers = new WeakMap<DebugHost, Debug>();
const switchedOn = new WeakSet<DebugHost>();

const silent: Debug = Object.assign(() => undefined, { enabled: false, secret: () => undefined });

// For a --debug option: the same as AWS2FA_DEBUG=1 for this one run.
export function enableDebug(context: DebugHost): void {
  switchedOn.add(context);
  loggers.delete(context);
}

export function debugFor(context: DebugHost): Debug {
  if (!switchedOn.has(context) && !context.env.AWS2FA_DEBUG) return silent;
  let logger = loggers.get(context);
  if (!logger) {
    logger = makeLogger(context.stderr);
    loggers.set(context, logger);
  }
  return logger;
}

export function redact(text: string, secrets: Iterable<string>): string {
  let out = text;
  // Longest first, so a secret that contains another is masked whole.
  for (const secret of [...secrets].sort((a, b) => b.length - a.length)) out = out.split(secret).join(MASK);
  return out;
}

function makeLogger(stderr: Writable): Debug {
  const started = Date.now();
  const secrets = new Set<string>();
  const log = (message: string) => {
    const line = printable(redact(message, secrets));
    stderr.write(`aws2fa debug +${Date.now() - started}ms: ${line}\n`);
  };
  return Object.assign(log, {
    enabled: true,
    secret(...values: Array<string | undefined>) {
      for (const value of values) if (value && value.length >= SHORTEST_SECRET) secrets.add(value);
    },
  });
}
