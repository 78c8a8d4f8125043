import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { rfc3339 } from '../time.js';
import type { Served } from './served-session.js';

// The credential endpoint the command's SDKs ask, as ECS containers ask theirs. Anyone on the machine can connect
// to 127.0.0.1: nothing is answered without the token, every request is small and short, only a few connections
// are served at once, and nothing is ever logged.

// What an SDK sends is a few hundred bytes: more is not an SDK.
export const MAX_REQUEST_BYTES = 4096;
export const MAX_CONNECTIONS = 8;
// A connection that sends nothing, or too slowly, gives its place back.
const IDLE_MS = 5_000;
export const CREDENTIALS_PATH = `/credentials`;

export interface CredentialServer {
  /** http://127.0.0.1:PORT/credentials: AWS_CONTAINER_CREDENTIALS_FULL_URI */
  url: string;
  close(): Promise<void>;
}

const digest = (text: string) => createHash('sha256').update(text, 'utf8').digest();

// Equal-length digests compared in constant time: neither the token nor its length shows in the time taken.
function tokenMatches(given: string | undefined, expected: Buffer): boolean {
  return given !== undefined && timingSafeEqual(digest(given), expected);
}

function answer(response: ServerResponse, status: number, body: object, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  // Connection: close gives the place back at once; no-store keeps credentials out of any cache.
  response.writeHead(status, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(text)), 'cache-control': 'no-store', connection: 'close', ...headers });
  response.end(text);
}

const refusal = (code: string, message: string) => ({ Code: code, Message: message });

async function reply(request: IncomingMessage, response: ServerResponse, expected: Buffer, serve: () => Promise<Served>): Promise<void> {
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > MAX_REQUEST_BYTES) return answer(response, 400, refusal(`RequestTooLarge`, `request too large`));
  }
  if (!tokenMatches(request.headers.authorization, expected)) return answer(response, 403, refusal(`AccessDenied`, `missing or wrong authorization token`));
  if (request.method !== `GET`) return answer(response, 405, refusal(`MethodNotAllowed`, `only GET`), { allow: `GET` });
  if ((request.url ?? ``).split(`?`)[0] !== CREDENTIALS_PATH) return answer(response, 404, refusal(`NotFound`, `no such path`));
  const served = await serve();
  if (`keys` in served) {
    const { keys } = served;
    return answer(response, 200, { AccessKeyId: keys.accessKeyId, SecretAccessKey: keys.secretAccessKey, Token: keys.sessionToken, Expiration: rfc3339(keys.expiration) });
  }
  if (`ended` in served) return answer(response, 410, refusal(`ExpiredToken`, served.ended));
  return answer(response, 503, refusal(`RenewalFailed`, served.failed));
}

export async function startCredentialServer(token: string, serve: () => Promise<Served>): Promise<CredentialServer> {
  const expected = digest(token);
  const server = createServer({ maxHeaderSize: MAX_REQUEST_BYTES, requestTimeout: IDLE_MS, headersTimeout: IDLE_MS, connectionsCheckingInterval: 1_000 }, (request, response) => {
    reply(request, response, expected, serve).catch(() => {
      if (!response.headersSent) answer(response, 500, refusal(`InternalError`, `aws2fa could not answer`));
      else response.destroy();
    });
  });
  server.maxConnections = MAX_CONNECTIONS;
  server.on(`connection`, (socket: Socket) => socket.setTimeout(IDLE_MS, () => socket.destroy()));
  // Headers past the limit, or not HTTP at all: 400, where Node would answer 431 for the first.
  server.on(`clientError`, (_error, socket: Socket) => {
    if (socket.writable) socket.end(`HTTP/1.1 400 Bad Request\r\nconnection: close\r\ncontent-length: 0\r\n\r\n`);
    else socket.destroy();
  });
  await new Promise<void>((resolve, reject) => {
    server.once(`error`, reject);
    server.listen({ host: `127.0.0.1`, port: 0, exclusive: true }, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}${CREDENTIALS_PATH}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
