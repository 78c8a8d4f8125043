import { pipeline, Transform, type Readable } from 'node:stream';

// Real STS and ECR answers are a few KiB. The SDK reads a whole answer into memory before parsing it, so a broken
// or hostile endpoint (a 2 GiB Content-Length, a body that never ends) would otherwise take the run down with it.
// The limit is applied to the HTTP response body itself, as the request handler hands it to the SDK.
export const ANSWER_LIMIT_BYTES = 1024 * 1024;

export class OversizedAnswerError extends Error {
  override readonly name = 'OversizedAnswerError';
}

interface ResponseLike {
  headers?: Record<string, string | undefined>;
  body?: unknown;
}

type Handler = (args: { request?: unknown }) => Promise<{ response?: unknown }>;

interface MiddlewareStackLike {
  add(middleware: (next: Handler) => Handler, options: { step: 'deserialize'; priority: 'low'; name: string }): void;
}

function isReadable(body: unknown): body is Readable {
  return typeof (body as Readable | undefined)?.pipe === 'function' && typeof (body as Readable).destroy === 'function';
}

function declaredLength(headers: ResponseLike['headers']): number | undefined {
  const entry = Object.entries(headers ?? {}).find(([name]) => name.toLowerCase() === 'content-length');
  return entry?.[1] === undefined ? undefined : Number(entry[1]);
}

// Passes the body through until it grows past the limit, then fails it and drops the connection.
function counted(body: Readable, limit: number): Readable {
  let seen = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      seen += chunk.length;
      if (seen > limit) done(new OversizedAnswerError(`answer larger than ${limit} bytes`));
      else done(null, chunk);
    },
  });
  // On either side's failure pipeline destroys both: the socket closes, the reader sees the error.
  pipeline(body, counter, () => undefined);
  return counter;
}

// Added to a client's stack inside the deserializer (step deserialize, priority low): it sees the response before
// anything reads its body. Any client's stack will do, as for logEachTry.
export function limitAnswerSize(client: { middlewareStack: object }, limit = ANSWER_LIMIT_BYTES): void {
  (client.middlewareStack as MiddlewareStackLike).add(
    (next) => async (args) => {
      const result = await next(args);
      const response = result.response as ResponseLike | undefined;
      if (!response || !isReadable(response.body)) return result;
      if ((declaredLength(response.headers) ?? 0) > limit) {
        response.body.destroy();
        throw new OversizedAnswerError(`answer of ${declaredLength(response.headers)} bytes announced`);
      }
      response.body = counted(response.body, limit);
      return result;
    },
    { step: 'deserialize', priority: 'low', name: 'aws2faAnswerLimit' },
  );
}
