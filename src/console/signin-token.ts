import type { IncomingMessage } from 'node:http';
import { callBoundMs, maskedEndpoint, type AwsTarget } from '../aws/endpoint.js';
import { shortKey } from '../aws/failures.js';
import { AwsRequestError } from '../errors.js';
import { printable } from '../printable.js';
import type { SessionKeys } from '../store/credentials.js';
import { VERSION } from '../version.js';
import { federationUrl, type SigninEndpoint } from './endpoints.js';

// The federation endpoint's getSigninToken: the session's keys go in (in the query string, as AWS wants them), a
// sign-in token valid for 15 minutes comes out. node:http directly (the SDK has no client for it), with the bounds
// of an STS call: connecting, each silence and the whole answer are bounded, the answer's size too, and it must be
// the JSON {"SigninToken": "…"}. Nothing of the request's URL is ever shown: it holds the secrets.

export class SigninError extends AwsRequestError {}

// A real answer is a couple of KiB; a token that long is no URL a browser takes.
const ANSWER_LIMIT_BYTES = 64 * 1024;
const TOKEN = /^[\x21-\x7e]{16,16384}$/;

export interface SigninRequest {
  endpoint: SigninEndpoint;
  keys: SessionKeys;
  /** seconds of console session; only for a role assumed with long-term keys (AWS refuses it otherwise) */
  sessionDuration?: number | undefined;
  /** the profile, for messages */
  profile: string;
  /** the STS target: its time bounds (AWS2FA_HTTP_TIMEOUT) and debug log */
  bounds: AwsTarget;
}

interface Answer {
  status: number;
  statusText: string;
  body: string;
}

function shownEndpoint(request: SigninRequest): string {
  return printable(maskedEndpoint(request.endpoint.base));
}

function adviceFor(request: SigninRequest): string {
  return request.endpoint.variable ? `check your network, VPN or ${request.endpoint.variable}` : `check your network or VPN`;
}

function fetchAnswer(url: URL, request: SigninRequest): Promise<Answer> {
  const { connectTimeoutMs, requestTimeoutMs } = request.bounds;
  const where = `the AWS sign-in endpoint at ${shownEndpoint(request)}`;
  // The same bound STS states: connecting and one silence; the whole exchange is bounded as an STS call is.
  const late = () => new SigninError(`${where} did not answer in time (bound ${Math.round((connectTimeoutMs + requestTimeoutMs) / 1000)} s): ${adviceFor(request)}`);
  return new Promise((resolve, reject) => {
    import(url.protocol === 'https:' ? 'node:https' : 'node:http').then(({ request: send }) => {
      const timers: NodeJS.Timeout[] = [];
      let settled = false;
      const settle = (error: Error | undefined, answer?: Answer) => {
        if (settled) return;
        settled = true;
        timers.forEach(clearTimeout);
        if (error) {
          outgoing.destroy();
          reject(error);
        } else resolve(answer!);
      };
      const outgoing = send(url, { method: 'GET', agent: false, headers: { accept: 'application/json', 'user-agent': `aws2fa/${VERSION}` } });
      // The whole exchange, whatever trickles in, and connecting.
      timers.push(setTimeout(() => settle(late()), callBoundMs(request.bounds)));
      const connecting = setTimeout(() => settle(late()), connectTimeoutMs);
      timers.push(connecting);
      outgoing.on('socket', (socket: import('node:net').Socket) => {
        if (socket.connecting) socket.once('connect', () => clearTimeout(connecting));
        else clearTimeout(connecting);
      });
      outgoing.setTimeout(requestTimeoutMs, () => settle(late()));
      outgoing.on('error', (error: NodeJS.ErrnoException) => {
        const code = error.code ?? error.name;
        settle(new SigninError(`cannot reach ${where} (${printable(code).slice(0, 60)}): ${adviceFor(request)}`));
      });
      outgoing.on('response', (response: IncomingMessage) => {
        clearTimeout(connecting);
        const tooLarge = () => new SigninError(`${where} sent an answer larger than ${ANSWER_LIMIT_BYTES / 1024} KiB; refusing it: ${adviceFor(request)}`);
        if (Number(response.headers['content-length'] ?? 0) > ANSWER_LIMIT_BYTES) return settle(tooLarge());
        const chunks: Buffer[] = [];
        let size = 0;
        response.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > ANSWER_LIMIT_BYTES) settle(tooLarge());
          else chunks.push(chunk);
        });
        response.on('error', () => settle(new SigninError(`${where} broke off its answer: try again`)));
        response.on('aborted', () => settle(new SigninError(`${where} broke off its answer: try again`)));
        response.on('end', () =>
          settle(undefined, { status: response.statusCode ?? 0, statusText: response.statusMessage ?? '', body: Buffer.concat(chunks).toString('utf8') }),
        );
      });
      outgoing.end();
    }).catch(reject);
  });
}

function tokenFrom(answer: Answer): string | undefined {
  let value: unknown;
  try {
    value = JSON.parse(answer.body);
  } catch {
    return undefined;
  }
  const token = typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>).SigninToken : undefined;
  return typeof token === 'string' && TOKEN.test(token) ? token : undefined;
}

export async function getSigninToken(request: SigninRequest): Promise<string> {
  const { keys, sessionDuration, bounds } = request;
  const debug = bounds.debug;
  const url = federationUrl(request.endpoint.base);
  url.searchParams.set('Action', 'getSigninToken');
  if (sessionDuration !== undefined) url.searchParams.set('SessionDuration', String(sessionDuration));
  url.searchParams.set('Session', JSON.stringify({ sessionId: keys.accessKeyId, sessionKey: keys.secretAccessKey, sessionToken: keys.sessionToken }));
  debug?.(
    `sign-in: getSigninToken at ${maskedEndpoint(federationUrl(request.endpoint.base).toString())} for session key ${shortKey(keys.accessKeyId)}, ` +
      `${sessionDuration === undefined ? 'no SessionDuration' : `SessionDuration ${sessionDuration} s`}; ${Math.round(callBoundMs(bounds) / 1000)} s in all`,
  );
  const answer = await fetchAnswer(url, request);
  const where = `the AWS sign-in endpoint at ${shownEndpoint(request)}`;
  debug?.(`sign-in: HTTP ${answer.status}, ${answer.body.length} bytes`);
  if (answer.status !== 200) {
    const status = printable(`HTTP ${answer.status}${answer.statusText ? ` ${answer.statusText.slice(0, 80)}` : ''}`);
    throw new SigninError(
      `${where} refused the session of ${request.profile} (${status}): run aws2fa console ${request.profile} again for a new session` +
        (request.endpoint.variable ? `, and check ${request.endpoint.variable}` : ''),
    );
  }
  const token = tokenFrom(answer);
  if (!token) throw new SigninError(`${where} answered without a sign-in token (not the JSON {"SigninToken": …}); refusing it: try again, and ${adviceFor(request)}`);
  debug?.secret(token);
  debug?.(`sign-in: a sign-in token of ${token.length} characters, valid for 15 minutes`);
  return token;
}
