import type { Debug } from '../debug.js';

// One debug line per HTTP try, from inside the SDK's retry loop: method, URL, the try number, the status or the
// network error, and the time taken. Never headers (Authorization, the session token) or bodies (the MFA code,
// the credentials STS sends back).

interface RequestLike {
  method?: string;
  protocol?: string;
  hostname?: string;
  port?: number;
  path?: string;
  headers?: Record<string, string>;
}

interface FailureLike {
  name?: string;
  code?: string;
  $metadata?: { httpStatusCode?: number };
}

type Handler = (args: { request?: unknown }) => Promise<{ response?: unknown }>;

interface MiddlewareStackLike {
  add(middleware: (next: Handler) => Handler, options: { step: 'finalizeRequest'; priority: 'low'; name: string }): void;
}

function describeRequest(request: RequestLike | undefined): string {
  if (!request) return 'request';
  const port = request.port ? `:${request.port}` : '';
  return `${request.method ?? 'POST'} ${request.protocol ?? 'https:'}//${request.hostname ?? '?'}${port}${request.path ?? '/'}`;
}

// `attempt=2; max=2`, the SDK's own count.
function tryNumber(request: RequestLike | undefined): string {
  const header = request?.headers?.['amz-sdk-request'] ?? '';
  const match = /attempt=(\d+); max=(\d+)/.exec(header);
  return match ? `try ${match[1]}/${match[2]}` : 'try';
}

// The SDK types a middleware by one client's inputs and outputs; this one touches only the HTTP request and
// response every client has, so it takes any client's stack.
export function logEachTry(client: { middlewareStack: object }, service: string, debug: Debug | undefined): void {
  if (!debug?.enabled) return;
  (client.middlewareStack as MiddlewareStackLike).add(
    (next) => async (args) => {
      const request = args.request as RequestLike | undefined;
      const started = Date.now();
      const what = `${service} ${tryNumber(request)}: ${describeRequest(request)}`;
      try {
        const result = await next(args);
        const status = (result.response as { statusCode?: number } | undefined)?.statusCode;
        debug(`${what} → HTTP ${status ?? '?'} in ${Date.now() - started} ms`);
        return result;
      } catch (error) {
        const failure = (error ?? {}) as FailureLike;
        const status = failure.$metadata?.httpStatusCode;
        const outcome = status !== undefined ? `HTTP ${status} ${failure.name ?? ''}`.trim() : `${failure.code ?? failure.name ?? 'error'}`;
        debug(`${what} → ${outcome} after ${Date.now() - started} ms`);
        throw error;
      }
    },
    { step: 'finalizeRequest', priority: 'low', name: 'aws2faDebugLog' },
  );
}
