// The console sign-in side of the fake AWS endpoint (test/helpers/aws-endpoint.ts): STS GetFederationToken (Query
// XML, AWS's shape) and the federation endpoint (`/federation`: getSigninToken answering {"SigninToken"}, and
// Action=login redirecting to the console for a valid token). It refuses what AWS refuses: a GetSessionToken
// session (or long-term keys) at getSigninToken, SessionDuration for a role assumed with a session, GetFederationToken
// signed with a session, and, per user, GetFederationToken itself (as an MFA-required policy denies it).
import { randomBytes, randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import type { Caller, FakeUser, IncomingRequest, IssuedSession, ParsedCall, Reply } from './aws-endpoint.js';

export interface SigninRecord {
  action: string;
  /** the query string as received (holds the session's secrets: test memory only) */
  params: Record<string, string>;
  /** getSigninToken: the session it named, when it is one the fake issued */
  session: IssuedSession | undefined;
  status: number;
}

export interface FakeSignin {
  requests: SigninRecord[];
  /** tokens handed out by getSigninToken, to look for leaks */
  tokens: string[];
  /** sessions handed out by GetFederationToken */
  federated: IssuedSession[];
  /** GetFederationToken of this user (by long-term key id) is denied, as by a policy that requires MFA */
  denyFederationTo(accessKeyId: string): void;
  /** the next `times` getSigninToken requests are refused with this HTTP status */
  refuseNext(status: number, times?: number): void;
}

export interface SigninKit {
  now(): Date;
  sessions: Map<string, IssuedSession>;
  newSession(user: FakeUser, seconds: number, mfa: boolean): IssuedSession;
  credentialsXml(session: IssuedSession): string;
  stsReply(action: string, result: string, requestId: string): Reply;
  stsError(error: { status: number; code: string; message: string }, requestId: string): Reply;
  xmlEscape(text: string): string;
}

const TOKEN_SECONDS = 15 * 60;
const DEFAULT_ACCOUNT = '123456789012';
const DEFAULT_USER_NAME = 'alice';

export interface SigninHandlers extends FakeSignin {
  /** a request to the federation endpoint (any path ending in /federation) */
  serves(incoming: IncomingRequest): boolean;
  answer(incoming: IncomingRequest, response: ServerResponse): void;
  getFederationToken(call: ParsedCall, caller: Caller, requestId: string): Reply;
}

// Real sign-in tokens are long and URL-unsafe enough to need encoding: these hold `+`, `/`, `=`, `-` and `_`.
function newToken(): string {
  return `${randomBytes(600).toString('base64')}-_${randomBytes(30).toString('base64url')}`;
}

export function fakeSignin(kit: SigninKit): SigninHandlers {
  const requests: SigninRecord[] = [];
  const tokens: string[] = [];
  const federated: IssuedSession[] = [];
  const denied = new Set<string>();
  const valid = new Map<string, { expires: number; used: boolean }>();
  let refusals: { status: number; remaining: number } | undefined;

  function getFederationToken(call: ParsedCall, caller: Caller, requestId: string): Reply {
    if (caller.kind === 'session') {
      return kit.stsError({ status: 403, code: 'AccessDenied', message: 'Cannot call GetFederationToken with session credentials' }, requestId);
    }
    const user = caller.user;
    const account = user.account ?? DEFAULT_ACCOUNT;
    const name = call.params['Name'];
    if (name === undefined || name.length < 2 || name.length > 32 || !/^[\w+=,.@-]*$/.test(name)) {
      const constraint =
        name === undefined
          ? 'Member must not be null'
          : name.length < 2 || name.length > 32
            ? `Member must have length ${name.length < 2 ? 'greater than or equal to 2' : 'less than or equal to 32'}`
            : 'Member must satisfy regular expression pattern: [\\w+=,.@-]*';
      return kit.stsError({ status: 400, code: 'ValidationError', message: `1 validation error detected: Value '${name ?? 'null'}' at 'name' failed to satisfy constraint: ${constraint}` }, requestId);
    }
    const durationText = call.params['DurationSeconds'];
    const duration = durationText === undefined ? 43200 : Number(durationText);
    if (!Number.isInteger(duration) || duration < 900 || duration > 129600) {
      const constraint = duration > 129600 ? 'less than or equal to 129600' : 'greater than or equal to 900';
      return kit.stsError(
        { status: 400, code: 'ValidationError', message: `1 validation error detected: Value '${durationText}' at 'durationSeconds' failed to satisfy constraint: Member must have value ${constraint}` },
        requestId,
      );
    }
    const policy = call.params['Policy'];
    if (policy !== undefined) {
      try {
        JSON.parse(policy);
      } catch {
        return kit.stsError({ status: 400, code: 'MalformedPolicyDocument', message: 'The policy is not in the valid JSON format.' }, requestId);
      }
    }
    if (denied.has(user.accessKeyId)) {
      return kit.stsError(
        {
          status: 403,
          code: 'AccessDenied',
          message: `User: arn:aws:iam::${account}:user/${user.userName ?? DEFAULT_USER_NAME} is not authorized to perform: sts:GetFederationToken on resource: arn:aws:sts::${account}:federated-user/${name} with an explicit deny in an identity-based policy`,
        },
        requestId,
      );
    }
    const session = kit.newSession(user, duration, false);
    federated.push(session);
    return kit.stsReply(
      'GetFederationToken',
      kit.credentialsXml(session) +
        `    <FederatedUser>\n` +
        `      <Arn>arn:aws:sts::${account}:federated-user/${kit.xmlEscape(name)}</Arn>\n` +
        `      <FederatedUserId>${account}:${kit.xmlEscape(name)}</FederatedUserId>\n` +
        `    </FederatedUser>\n` +
        `    <PackedPolicySize>${policy === undefined ? 0 : 6}</PackedPolicySize>\n`,
      requestId,
    );
  }

  function reply(response: ServerResponse, status: number, headers: Record<string, string>, body: string): void {
    response.writeHead(status, { ...headers, 'content-length': Buffer.byteLength(body) });
    response.end(body);
  }

  const badRequest = (response: ServerResponse) => reply(response, 400, { 'content-type': 'text/plain' }, 'Bad Request');

  // Which session the Session parameter names, and whether AWS would sign it in.
  function sessionFrom(params: Record<string, string>): { session?: IssuedSession; ok: boolean } {
    let named: Record<string, unknown>;
    try {
      named = JSON.parse(params['Session'] ?? '') as Record<string, unknown>;
    } catch {
      return { ok: false };
    }
    const session = typeof named.sessionId === 'string' ? kit.sessions.get(named.sessionId) : undefined;
    if (!session || named.sessionKey !== session.secretAccessKey || named.sessionToken !== session.sessionToken) return { ok: false };
    if (kit.now().getTime() >= session.expiration.getTime()) return { session, ok: false };
    // A GetSessionToken session cannot sign in: only role and federation sessions can.
    if (!session.role && !federated.includes(session)) return { session, ok: false };
    const durationText = params['SessionDuration'];
    if (durationText !== undefined) {
      const duration = Number(durationText);
      if (!Number.isInteger(duration) || duration < 900 || duration > 43200) return { session, ok: false };
      // AWS refuses a console session of its own for a role assumed with temporary credentials.
      if (session.role?.chained) return { session, ok: false };
    }
    return { session, ok: true };
  }

  function answer(incoming: IncomingRequest, response: ServerResponse): void {
    const params = Object.fromEntries(incoming.query);
    const action = params['Action'] ?? '';
    const record = (status: number, session?: IssuedSession) => requests.push({ action, params, session, status });
    if (incoming.method !== 'GET' && incoming.method !== 'POST') {
      record(405);
      return reply(response, 405, { 'content-type': 'text/plain' }, 'Method Not Allowed');
    }
    if (action === 'getSigninToken') {
      const { session, ok } = sessionFrom(params);
      if (refusals) {
        refusals.remaining -= 1;
        const status = refusals.status;
        if (refusals.remaining <= 0) refusals = undefined;
        record(status, session);
        return reply(response, status, { 'content-type': 'text/plain' }, 'Refused');
      }
      if (!ok) {
        record(400, session);
        return badRequest(response);
      }
      const token = newToken();
      tokens.push(token);
      valid.set(token, { expires: kit.now().getTime() + TOKEN_SECONDS * 1000, used: false });
      record(200, session);
      return reply(response, 200, { 'content-type': 'application/json', 'x-amzn-requestid': randomUUID() }, JSON.stringify({ SigninToken: token }));
    }
    if (action === 'login') {
      const known = valid.get(params['SigninToken'] ?? '');
      const destination = params['Destination'] ?? '';
      if (!known || known.used || kit.now().getTime() >= known.expires || !/^https:\/\//.test(destination)) {
        record(400);
        return badRequest(response);
      }
      known.used = true;
      record(302);
      return reply(response, 302, { location: destination, 'content-type': 'text/plain' }, '');
    }
    record(400);
    return badRequest(response);
  }

  return {
    requests,
    tokens,
    federated,
    denyFederationTo(accessKeyId) {
      denied.add(accessKeyId);
    },
    refuseNext(status, times = 1) {
      refusals = { status, remaining: times };
    },
    serves: (incoming) => /\/federation$/.test(incoming.path),
    answer,
    getFederationToken,
  };
}
