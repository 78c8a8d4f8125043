// A fake AWS endpoint on loopback that speaks STS (Query protocol, XML) and ECR (JSON 1.1) closely enough
// that the real AWS SDK for JavaScript v3 can be pointed at it with AWS_ENDPOINT_URL=http://127.0.0.1:PORT.
// Requests must be SigV4-signed with a known key; signatures are recomputed with @smithy/signature-v4.
import { createHash, createHmac, randomBytes, randomInt, randomUUID, type Hash, type Hmac } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SignatureV4 } from '@smithy/signature-v4';
import { fakeSignin, type FakeSignin } from './fake-signin.js';
import { createFakeIam, iamError, IAM_VERSION, type FakeIam } from './fake-iam.js';

export interface FakeUser {
  accessKeyId: string;
  secretAccessKey: string;
  mfaSerial: string;
  code: string;
  /** 12 digits, default '123456789012' */
  account?: string;
  /** IAM user name in the caller ARN, default 'alice' */
  userName?: string;
  disabled?: boolean;
  /** GetSessionToken without SerialNumber/TokenCode gives a session without MFA (default: refused as a wrong code) */
  allowWithoutMfa?: boolean;
}

/** An IAM role AssumeRole can hand out sessions of. */
export interface FakeRole {
  /** arn:aws:iam::ACCOUNT:role/NAME */
  arn: string;
  /** who may assume it: account ids (any principal of that account), user ARNs, role ARNs (their sessions) */
  trust: string[];
  /** trust policy condition aws:MultiFactorAuthPresent = true */
  requireMfa?: boolean;
  /** trust policy condition sts:ExternalId */
  externalId?: string;
  /** seconds, default 3600 (as IAM's default) */
  maxSessionDuration?: number;
}

export interface RecordedRequest {
  service: 'sts' | 'ecr' | 'iam';
  method: string;
  /** URL path as received, without the query string: '/' unless the endpoint URL has a path */
  path: string;
  /** e.g. 'GetSessionToken', 'GetCallerIdentity', 'GetAuthorizationToken'; '' when absent */
  action: string;
  /** STS form params (body and query string) / ECR JSON body fields (stringified) */
  params: Record<string, string>;
  /** from the SigV4 credential scope; '' when unsigned */
  accessKeyId: string;
  sessionToken: string | undefined;
  region: string;
  signatureValid: boolean;
  headers: Record<string, string>;
  body: string;
}

export type Fault = '500' | 'throttle' | 'reset' | 'hang' | 'malformed';

/** Writes an answer of its own (huge, endless, hostile values); the request is recorded as any other. */
export type CustomReply = (response: ServerResponse, call: { service: 'sts' | 'ecr' | 'iam'; action: string }) => void;

export interface IssuedSession {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  expiration: Date;
  user: FakeUser;
  /** made with MFA (GetSessionToken with a code, or a role assumed with MFA context) */
  mfa: boolean;
  /** role sessions only; chained: assumed with a session (AWS then refuses a console SessionDuration) */
  role?: { arn: string; sessionName: string; chained?: boolean };
}

export interface FakeAws {
  /** 'http://127.0.0.1:PORT' */
  url: string;
  /** every request, including rejected and faulted ones, in arrival order */
  requests: RecordedRequest[];
  addUser(user: FakeUser): void;
  addRole(role: FakeRole): void;
  /** sessions handed out by AssumeRole */
  assumed: IssuedSession[];
  /** the next `times` (default: all) requests matching service/region get the fault */
  injectFault(fault: Fault, opts?: { service?: 'sts' | 'ecr' | 'iam'; region?: string; times?: number }): void;
  /** like injectFault, with an answer the test writes itself */
  injectReply(reply: CustomReply, opts?: { service?: 'sts' | 'ecr' | 'iam'; region?: string; times?: number }): void;
  clearFaults(): void;
  /** resolves with the next request recorded (of `service`, if given): a test waits for this event, not a time */
  nextRequest(opts?: { service?: 'sts' | 'ecr' | 'iam' }): Promise<RecordedRequest>;
  /** answers to requests of `service` (default: all) wait until release(): a test acts while the caller waits */
  holdAnswers(opts?: { service?: 'sts' | 'ecr' | 'iam' }): { release(): void };
  /** sessions handed out by GetSessionToken; mutate `expiration` to make one expire */
  issued: IssuedSession[];
  /** the password inside every ECR authorization token handed out, to look for leaks */
  ecrPasswords: string[];
  /** the console sign-in side: GetFederationToken and the federation endpoint (fake-signin.ts) */
  signin: FakeSignin;
  /** when set, every session AssumeRole hands out lasts this many seconds, whatever was asked (renewal tests) */
  roleSessionSeconds: number | undefined;
  /** IAM's access keys (test/helpers/fake-iam.ts) */
  iam: FakeIam;
  /** stops listening and destroys every connection, hanging ones included */
  close(): Promise<void>;
}

const STS_NAMESPACE = 'https://sts.amazonaws.com/doc/2011-06-15/';
const ECR_TARGET_PREFIX = 'AmazonEC2ContainerRegistry_V20150921.';
const DEFAULT_ACCOUNT = '123456789012';
const DEFAULT_USER_NAME = 'alice';
const DEFAULT_SESSION_SECONDS = 43200;
const ECR_TOKEN_SECONDS = 12 * 60 * 60;

const INVALID_TOKEN_MESSAGE = 'The security token included in the request is invalid.';
const EXPIRED_TOKEN_MESSAGE = 'The security token included in the request is expired';
const SIGNATURE_MISMATCH_MESSAGE =
  'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.';
const CHAINED_LIMIT_MESSAGE = 'The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.';
const MAX_SESSION_MESSAGE = 'The requested DurationSeconds exceeds the MaxSessionDuration set for this role.';
const MFA_FAILED_MESSAGE = 'MultiFactorAuthentication failed with invalid MFA one time pass code. ';
const INTERNAL_FAILURE_MESSAGE = 'The request processing has failed because of an unknown error, exception or failure.';

type Service = RecordedRequest['service'];

/** An error as AWS reports it; `code` is service specific (STS and ECR name the same failure differently). */
interface AwsError {
  status: number;
  code: string;
  message: string;
  /** STS only: who is to blame */
  type?: 'Sender' | 'Receiver';
}

export interface Reply {
  status: number;
  headers: Record<string, string>;
  body: string;
}

type AuthFailure = 'missing' | 'unknownKey' | 'badSignature' | 'wrongService' | 'expired';

function authError(failure: AuthFailure, service: Service): AwsError {
  const sts = service !== 'ecr'; // IAM answers as STS does, in its own namespace
  switch (failure) {
    case 'missing':
      return sts
        ? { status: 403, code: 'MissingAuthenticationToken', message: 'Request is missing Authentication Token' }
        : { status: 400, code: 'MissingAuthenticationTokenException', message: 'Missing Authentication Token' };
    case 'unknownKey':
      return sts
        ? { status: 403, code: 'InvalidClientTokenId', message: INVALID_TOKEN_MESSAGE }
        : { status: 400, code: 'UnrecognizedClientException', message: INVALID_TOKEN_MESSAGE };
    case 'badSignature':
      return { status: 403, code: sts ? 'SignatureDoesNotMatch' : 'InvalidSignatureException', message: SIGNATURE_MISMATCH_MESSAGE };
    case 'wrongService':
      return {
        status: 403,
        code: sts ? 'SignatureDoesNotMatch' : 'InvalidSignatureException',
        message: `Credential should be scoped to correct service: '${service}'. `,
      };
    case 'expired':
      return sts
        ? { status: 403, code: 'ExpiredToken', message: EXPIRED_TOKEN_MESSAGE }
        : { status: 403, code: 'ExpiredTokenException', message: EXPIRED_TOKEN_MESSAGE };
  }
}

// --- SigV4 verification -------------------------------------------------------------------------------

type SourceData = string | ArrayBuffer | ArrayBufferView;
type SignableRequest = Parameters<SignatureV4['presign']>[0];

function toBuffer(data: SourceData): Buffer {
  if (typeof data === 'string') return Buffer.from(data, 'utf8');
  if (ArrayBuffer.isView(data)) return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  return Buffer.from(data);
}

/** The sha256 constructor SignatureV4 wants: a plain hash, or an HMAC when given a secret. */
export class NodeSha256 {
  private readonly hash: Hash | Hmac;
  constructor(secret?: SourceData) {
    this.hash = secret === undefined ? createHash('sha256') : createHmac('sha256', toBuffer(secret));
  }
  update(data: SourceData): void {
    this.hash.update(toBuffer(data));
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.hash.digest());
  }
}

interface SigV4Authorization {
  accessKeyId: string;
  date: string;
  region: string;
  service: string;
  signedHeaders: string[];
  signature: string;
}

// `AWS4-HMAC-SHA256 Credential=AKID/20261123/us-east-1/sts/aws4_request, SignedHeaders=host;x-amz-date, Signature=hex`
function parseAuthorization(header: string | undefined): SigV4Authorization | undefined {
  const match = /^AWS4-HMAC-SHA256\s+(.*)$/.exec(header ?? '');
  if (!match?.[1]) return undefined;
  const fields = new Map<string, string>();
  for (const part of match[1].split(',')) {
    const eq = part.indexOf('=');
    if (eq > 0) fields.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  const [accessKeyId, date, region, service, terminator] = (fields.get('Credential') ?? '').split('/');
  const signedHeaders = fields.get('SignedHeaders');
  const signature = fields.get('Signature');
  if (!accessKeyId || !date || !region || !service || terminator !== 'aws4_request' || !signedHeaders || !signature) {
    return undefined;
  }
  return { accessKeyId, date, region, service, signedHeaders: signedHeaders.split(';'), signature };
}

// x-amz-date is `20261123T061200Z`
function parseAmzDate(value: string | undefined): Date | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value ?? '');
  if (!m) return undefined;
  const [, year, month, day, hour, minute, second] = m.map(Number) as [number, number, number, number, number, number, number];
  return new Date(Date.UTC(year, month - 1, day, hour, minute, second));
}

function decodePath(rawPath: string): string {
  try {
    return rawPath.split('/').map(decodeURIComponent).join('/');
  } catch {
    return rawPath;
  }
}

/**
 * Re-signs the request as received (only the headers the client signed) with the secret we expect,
 * and compares the result with the client's Authorization header.
 */
async function verifySignature(incoming: IncomingRequest, auth: SigV4Authorization, secretAccessKey: string): Promise<boolean> {
  const signingDate = parseAmzDate(incoming.headers['x-amz-date']);
  if (!signingDate) return false;

  // The signer hashes the body itself unless x-amz-content-sha256 is present; then that must be the truth.
  const claimedPayloadHash = incoming.headers['x-amz-content-sha256'];
  if (claimedPayloadHash !== undefined && claimedPayloadHash !== createHash('sha256').update(incoming.rawBody).digest('hex')) {
    return false;
  }

  const headers: Record<string, string> = {};
  for (const name of auth.signedHeaders) {
    const value = incoming.headers[name];
    if (value !== undefined) headers[name] = value;
  }
  const query: Record<string, string | string[]> = {};
  for (const [key, value] of incoming.query) {
    const previous = query[key];
    query[key] = previous === undefined ? value : [...(Array.isArray(previous) ? previous : [previous]), value];
  }
  const [hostname = '127.0.0.1', port] = (incoming.headers.host ?? '').split(':');
  const request: SignableRequest = {
    method: incoming.method,
    protocol: 'http:',
    hostname,
    ...(port ? { port: Number(port) } : {}),
    path: decodePath(incoming.path),
    query,
    headers,
    body: incoming.rawBody,
  };

  const signer = new SignatureV4({
    service: auth.service,
    region: auth.region,
    // no sessionToken here: if the client signed x-amz-security-token, it is already among `headers`
    credentials: { accessKeyId: auth.accessKeyId, secretAccessKey },
    sha256: NodeSha256,
    applyChecksum: false,
  });
  const signed = await signer.sign(request, {
    signingDate,
    signingRegion: auth.region,
    signingService: auth.service,
    signableHeaders: new Set(auth.signedHeaders),
  });
  // The signer adds x-amz-date and uses the scope date of signingDate: compare all of it, not just the signature.
  const expected = parseAuthorization(signed.headers['authorization']);
  return (
    expected !== undefined &&
    expected.signature === auth.signature &&
    expected.date === auth.date &&
    expected.signedHeaders.join(';') === auth.signedHeaders.join(';')
  );
}

// --- wire formats -------------------------------------------------------------------------------------

export function xmlEscape(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

// Second precision, as STS sends it: 2026-11-24T06:12:00Z
function isoSeconds(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export function stsReply(action: string, result: string, requestId: string): Reply {
  const body =
    `<${action}Response xmlns="${STS_NAMESPACE}">\n` +
    `  <${action}Result>\n${result}  </${action}Result>\n` +
    `  <ResponseMetadata>\n    <RequestId>${requestId}</RequestId>\n  </ResponseMetadata>\n` +
    `</${action}Response>\n`;
  return { status: 200, headers: { 'content-type': 'text/xml', 'x-amzn-requestid': requestId }, body };
}

export function stsError(error: AwsError, requestId: string): Reply {
  const body =
    `<ErrorResponse xmlns="${STS_NAMESPACE}">\n` +
    `  <Error>\n    <Type>${error.type ?? (error.status >= 500 ? 'Receiver' : 'Sender')}</Type>\n` +
    `    <Code>${xmlEscape(error.code)}</Code>\n    <Message>${xmlEscape(error.message)}</Message>\n  </Error>\n` +
    `  <RequestId>${requestId}</RequestId>\n` +
    `</ErrorResponse>\n`;
  return { status: error.status, headers: { 'content-type': 'text/xml', 'x-amzn-requestid': requestId }, body };
}

/** A GetSessionToken answer carrying exactly these values (escaped for XML only): for hostile-answer tests. */
export function sessionTokenAnswer(values: { accessKeyId: string; secretAccessKey: string; sessionToken: string; expiration: string }): CustomReply {
  return (response) => {
    const reply = stsReply(
      'GetSessionToken',
      `    <Credentials>\n` +
        `      <SessionToken>${xmlEscape(values.sessionToken)}</SessionToken>\n` +
        `      <SecretAccessKey>${xmlEscape(values.secretAccessKey)}</SecretAccessKey>\n` +
        `      <Expiration>${xmlEscape(values.expiration)}</Expiration>\n` +
        `      <AccessKeyId>${xmlEscape(values.accessKeyId)}</AccessKeyId>\n` +
        `    </Credentials>\n`,
      randomUUID(),
    );
    response.writeHead(reply.status, { ...reply.headers, 'content-length': Buffer.byteLength(reply.body) });
    response.end(reply.body);
  };
}

function ecrReply(result: unknown, requestId: string): Reply {
  return {
    status: 200,
    headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': requestId },
    body: JSON.stringify(result),
  };
}

function ecrError(error: AwsError, requestId: string): Reply {
  return {
    status: error.status,
    headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': requestId, 'x-amzn-errortype': error.code },
    body: JSON.stringify({ __type: error.code, message: error.message }),
  };
}

function errorReply(service: Service, error: AwsError, requestId: string): Reply {
  if (service === 'iam') return iamError(error, requestId);
  return service === 'sts' ? stsError(error, requestId) : ecrError(error, requestId);
}

// --- key material -------------------------------------------------------------------------------------

const UPPER_ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
const BASE64_CHARS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

function randomChars(alphabet: string, length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) out += alphabet[randomInt(alphabet.length)];
  return out;
}

// Real secrets and tokens contain '+', '/' and sometimes '=': make sure every one does, to catch bad quoting.
function randomSecretish(length: number): string {
  const chars = [...randomChars(BASE64_CHARS, length - 3)];
  for (const special of ['+', '/', '=']) chars.splice(randomInt(chars.length + 1), 0, special);
  return chars.join('');
}

// Stable per long-term key, so tests can predict it.
function userIdFor(accessKeyId: string): string {
  const digest = createHash('sha256').update(accessKeyId).digest();
  return `AIDA${[...digest.subarray(0, 17)].map((b) => UPPER_ALNUM[b % UPPER_ALNUM.length]).join('')}`;
}

// --- request parsing ----------------------------------------------------------------------------------

export interface IncomingRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: Record<string, string>;
  rawBody: Buffer;
  body: string;
}

function flattenHeaders(req: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return headers;
}

async function readRequest(req: IncomingMessage): Promise<IncomingRequest> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const rawBody = Buffer.concat(chunks);
  const url = req.url ?? '/';
  const queryStart = url.indexOf('?');
  return {
    method: req.method ?? 'GET',
    path: queryStart < 0 ? url : url.slice(0, queryStart),
    query: new URLSearchParams(queryStart < 0 ? '' : url.slice(queryStart + 1)),
    headers: flattenHeaders(req),
    rawBody,
    body: rawBody.toString('utf8'),
  };
}

export interface ParsedCall {
  service: Service;
  action: string;
  params: Record<string, string>;
  /** ECR body that is not a JSON object */
  malformedJson?: boolean;
}

// ECR calls carry X-Amz-Target; everything else is an STS Query call (form body, or query string for GET).
function parseCall(incoming: IncomingRequest): ParsedCall {
  const target = incoming.headers['x-amz-target'];
  if (target?.startsWith(ECR_TARGET_PREFIX)) {
    const action = target.slice(ECR_TARGET_PREFIX.length);
    const params: Record<string, string> = {};
    try {
      const parsed: unknown = JSON.parse(incoming.body || '{}');
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not an object');
      for (const [key, value] of Object.entries(parsed)) {
        params[key] = typeof value === 'string' ? value : JSON.stringify(value);
      }
      return { service: 'ecr', action, params };
    } catch {
      return { service: 'ecr', action, params, malformedJson: true };
    }
  }
  const params: Record<string, string> = Object.fromEntries(incoming.query);
  for (const [key, value] of new URLSearchParams(incoming.body)) params[key] = value;
  return { service: params['Version'] === IAM_VERSION ? 'iam' : 'sts', action: params['Action'] ?? '', params };
}

// --- the server ---------------------------------------------------------------------------------------

export type Caller = { kind: 'user'; user: FakeUser } | { kind: 'session'; session: IssuedSession };

interface InjectedFault {
  fault: Fault | CustomReply;
  service: Service | undefined;
  region: string | undefined;
  remaining: number;
}

export async function startFakeAws(opts: { now?: () => Date } = {}): Promise<FakeAws> {
  const now = opts.now ?? (() => new Date());
  const users = new Map<string, FakeUser>();
  const roles = new Map<string, FakeRole>();
  const assumed: IssuedSession[] = [];
  const sessions = new Map<string, IssuedSession>();
  let faults: InjectedFault[] = [];
  let roleSessionSeconds: number | undefined;
  const iam = createFakeIam(users, now);

  const requests: RecordedRequest[] = [];
  const issued: IssuedSession[] = [];
  const ecrPasswords: string[] = [];
  const waiting: Array<{ service?: Service; resolve: (request: RecordedRequest) => void }> = [];
  const holds: Array<{ service?: Service; released: Promise<void> }> = [];

  function record(request: RecordedRequest): void {
    requests.push(request);
    for (const waiter of waiting.filter((each) => each.service === undefined || each.service === request.service)) {
      waiting.splice(waiting.indexOf(waiter), 1);
      waiter.resolve(request);
    }
  }

  function takeFault(service: Service, region: string): Fault | CustomReply | undefined {
    const match = faults.find((f) => (f.service === undefined || f.service === service) && (f.region === undefined || f.region === region));
    if (!match) return undefined;
    match.remaining -= 1;
    if (match.remaining <= 0) faults = faults.filter((f) => f !== match);
    return match.fault;
  }

  /** Who signed the request, or why they are refused. Also says whether the signature verified, for the record. */
  async function authenticate(
    incoming: IncomingRequest,
    call: ParsedCall,
    auth: SigV4Authorization | undefined,
  ): Promise<{ signatureValid: boolean; caller?: Caller; failure?: AuthFailure }> {
    if (!auth) return { signatureValid: false, failure: 'missing' };
    const sessionToken = incoming.headers['x-amz-security-token'];
    const session = sessions.get(auth.accessKeyId);
    const user = users.get(auth.accessKeyId);
    let caller: Caller;
    let secret: string;
    if (session) {
      caller = { kind: 'session', session };
      secret = session.secretAccessKey;
    } else if (user) {
      caller = { kind: 'user', user };
      secret = user.secretAccessKey;
    } else {
      return { signatureValid: false, failure: 'unknownKey' };
    }
    const signatureValid = await verifySignature(incoming, auth, secret);
    // A session key is only good together with its own token; a long-term key must not bring one.
    const tokenMatches = caller.kind === 'session' ? sessionToken === caller.session.sessionToken : sessionToken === undefined;
    if (!tokenMatches || (caller.kind === 'user' && caller.user.disabled)) return { signatureValid, failure: 'unknownKey' };
    if (!signatureValid) return { signatureValid, failure: 'badSignature' };
    if (caller.kind === 'user' && iam.notYetValid(caller.user.accessKeyId)) return { signatureValid, failure: 'unknownKey' };
    if (auth.service !== call.service) return { signatureValid, failure: 'wrongService' };
    // ECR here only trusts MFA sessions: that is what the tool is for.
    if (call.service === 'ecr' && caller.kind !== 'session') return { signatureValid, failure: 'unknownKey' };
    if (caller.kind === 'session' && now().getTime() >= caller.session.expiration.getTime()) {
      return { signatureValid, failure: 'expired' };
    }
    return { signatureValid, caller };
  }

  function getSessionToken(call: ParsedCall, caller: Caller, requestId: string): Reply {
    if (caller.kind === 'session') {
      return stsError({ status: 403, code: 'AccessDenied', message: 'Cannot call GetSessionToken with session credentials' }, requestId);
    }
    const user = caller.user;
    const durationText = call.params['DurationSeconds'];
    const duration = durationText === undefined ? DEFAULT_SESSION_SECONDS : Number(durationText);
    if (!Number.isInteger(duration) || duration < 900 || duration > 129600) {
      const constraint = duration > 129600 ? 'less than or equal to 129600' : 'greater than or equal to 900';
      return stsError(
        {
          status: 400,
          code: 'ValidationError',
          message: `1 validation error detected: Value '${durationText}' at 'durationSeconds' failed to satisfy constraint: Member must have value ${constraint}`,
        },
        requestId,
      );
    }
    const withoutMfa = user.allowWithoutMfa && call.params['SerialNumber'] === undefined && call.params['TokenCode'] === undefined;
    if (!withoutMfa && (call.params['SerialNumber'] !== user.mfaSerial || call.params['TokenCode'] !== user.code)) {
      return stsError({ status: 403, code: 'AccessDenied', message: MFA_FAILED_MESSAGE }, requestId);
    }
    const session = newSession(user, duration, !withoutMfa);
    issued.push(session);
    return stsReply('GetSessionToken', credentialsXml(session), requestId);
  }

  function newSession(user: FakeUser, seconds: number, mfa: boolean, role?: IssuedSession['role']): IssuedSession {
    // Whole seconds, as STS only reports whole seconds
    const nowSeconds = Math.floor(now().getTime() / 1000) * 1000;
    const session: IssuedSession = {
      accessKeyId: `ASIA${randomChars(UPPER_ALNUM, 16)}`,
      secretAccessKey: randomSecretish(40),
      sessionToken: `IQoJb3JpZ2luX2Vj${randomSecretish(300)}`,
      expiration: new Date(nowSeconds + seconds * 1000),
      user,
      mfa,
      ...(role ? { role } : {}),
    };
    sessions.set(session.accessKeyId, session);
    return session;
  }

  function credentialsXml(session: IssuedSession): string {
    return (
      `    <Credentials>\n` +
      `      <SessionToken>${xmlEscape(session.sessionToken)}</SessionToken>\n` +
      `      <SecretAccessKey>${xmlEscape(session.secretAccessKey)}</SecretAccessKey>\n` +
      `      <Expiration>${isoSeconds(session.expiration)}</Expiration>\n` +
      `      <AccessKeyId>${session.accessKeyId}</AccessKeyId>\n` +
      `    </Credentials>\n`
    );
  }

  function validationError(message: string, requestId: string): Reply {
    return stsError({ status: 400, code: 'ValidationError', message }, requestId);
  }

  // The caller's ARN as a trust policy sees it: the IAM user, or the role behind an assumed-role session.
  function principalOf(caller: Caller): { account: string; arn: string } {
    const user = caller.kind === 'session' ? caller.session.user : caller.user;
    const account = user.account ?? DEFAULT_ACCOUNT;
    const role = caller.kind === 'session' ? caller.session.role : undefined;
    return { account, arn: role ? role.arn : `arn:aws:iam::${account}:user/${user.userName ?? DEFAULT_USER_NAME}` };
  }

  // As AWS: input validation first, then the chaining limit, then the trust policy, then MaxSessionDuration.
  function assumeRole(call: ParsedCall, caller: Caller, requestId: string): Reply {
    const roleArn = call.params['RoleArn'] ?? '';
    const sessionName = call.params['RoleSessionName'];
    if (sessionName === undefined || !/^[\w+=,.@-]*$/.test(sessionName) || sessionName.length < 2 || sessionName.length > 64) {
      const constraint =
        sessionName === undefined
          ? `Member must not be null`
          : sessionName.length < 2 || sessionName.length > 64
            ? `Member must have length ${sessionName.length < 2 ? 'greater than or equal to 2' : 'less than or equal to 64'}`
            : `Member must satisfy regular expression pattern: [\\w+=,.@-]*`;
      return validationError(`1 validation error detected: Value '${sessionName ?? 'null'}' at 'roleSessionName' failed to satisfy constraint: ${constraint}`, requestId);
    }
    const durationText = call.params['DurationSeconds'];
    const duration = durationText === undefined ? 3600 : Number(durationText);
    if (!Number.isInteger(duration) || duration < 900 || duration > 43200) {
      const constraint = duration > 43200 ? 'less than or equal to 43200' : 'greater than or equal to 900';
      return validationError(`1 validation error detected: Value '${durationText}' at 'durationSeconds' failed to satisfy constraint: Member must have value ${constraint}`, requestId);
    }
    if (caller.kind === 'session' && duration > 3600) return validationError(CHAINED_LIMIT_MESSAGE, requestId);
    const principal = principalOf(caller);
    const denied = stsError(
      { status: 403, code: 'AccessDenied', message: `User: ${principal.arn} is not authorized to perform: sts:AssumeRole on resource: ${roleArn}` },
      requestId,
    );
    // MFA in the call itself is only for long-term keys; a wrong code is the MFA failure, as for GetSessionToken.
    let mfa = caller.kind === 'session' ? caller.session.mfa : false;
    if (call.params['SerialNumber'] !== undefined || call.params['TokenCode'] !== undefined) {
      if (caller.kind !== 'user' || call.params['SerialNumber'] !== caller.user.mfaSerial || call.params['TokenCode'] !== caller.user.code) {
        return stsError({ status: 403, code: 'AccessDenied', message: MFA_FAILED_MESSAGE }, requestId);
      }
      mfa = true;
    }
    const role = roles.get(roleArn);
    if (!role) return denied;
    const trusted = role.trust.some((who) => who === principal.account || who === principal.arn);
    if (!trusted || (role.requireMfa && !mfa) || (role.externalId !== undefined && call.params['ExternalId'] !== role.externalId)) return denied;
    if (duration > (role.maxSessionDuration ?? 3600)) return validationError(MAX_SESSION_MESSAGE, requestId);
    const user = caller.kind === 'session' ? caller.session.user : caller.user;
    const session = newSession(user, roleSessionSeconds ?? duration, mfa, { arn: roleArn, sessionName, chained: caller.kind === 'session' });
    assumed.push(session);
    const [, account, roleName] = /^arn:aws:iam::(\d{12}):role\/(?:.*\/)?(.+)$/.exec(roleArn) ?? [];
    return stsReply(
      'AssumeRole',
      credentialsXml(session) +
        `    <AssumedRoleUser>\n` +
        `      <AssumedRoleId>AROA${userIdFor(roleArn).slice(4)}:${xmlEscape(sessionName)}</AssumedRoleId>\n` +
        `      <Arn>arn:aws:sts::${account}:assumed-role/${xmlEscape(roleName ?? '')}/${xmlEscape(sessionName)}</Arn>\n` +
        `    </AssumedRoleUser>\n`,
      requestId,
    );
  }

  function getCallerIdentity(caller: Caller, requestId: string): Reply {
    // A GetSessionToken session acts as the IAM user who made it
    const user = caller.kind === 'session' ? caller.session.user : caller.user;
    const role = caller.kind === 'session' ? caller.session.role : undefined;
    const [, roleAccount, roleName] = /^arn:aws:iam::(\d{12}):role\/(?:.*\/)?(.+)$/.exec(role?.arn ?? '') ?? [];
    if (role && roleAccount && roleName) {
      return stsReply(
        'GetCallerIdentity',
        `    <Arn>arn:aws:sts::${roleAccount}:assumed-role/${xmlEscape(roleName)}/${xmlEscape(role.sessionName)}</Arn>\n` +
          `    <UserId>AROA${userIdFor(role.arn).slice(4)}:${xmlEscape(role.sessionName)}</UserId>\n` +
          `    <Account>${roleAccount}</Account>\n`,
        requestId,
      );
    }
    const account = user.account ?? DEFAULT_ACCOUNT;
    return stsReply(
      'GetCallerIdentity',
      `    <Arn>arn:aws:iam::${account}:user/${xmlEscape(user.userName ?? DEFAULT_USER_NAME)}</Arn>\n` +
        `    <UserId>${userIdFor(user.accessKeyId)}</UserId>\n` +
        `    <Account>${account}</Account>\n`,
      requestId,
    );
  }

  function getAuthorizationToken(caller: Caller, region: string, requestId: string): Reply {
    const user = caller.kind === 'session' ? caller.session.user : caller.user;
    // A role session's registry is the role's account, as ECR names the caller's own
    const roleAccount = caller.kind === 'session' ? /^arn:aws[\w-]*:iam::(\d{12}):/.exec(caller.session.role?.arn ?? '')?.[1] : undefined;
    // Real passwords are a long base64 blob; unique per call so a leak points at one response
    const password = `eyJwYXlsb2FkIjoi${randomBytes(1200).toString('base64')}`;
    ecrPasswords.push(password);
    return ecrReply(
      {
        authorizationData: [
          {
            authorizationToken: Buffer.from(`AWS:${password}`).toString('base64'),
            expiresAt: Math.floor(now().getTime() / 1000) + ECR_TOKEN_SECONDS,
            proxyEndpoint: `https://${roleAccount ?? user.account ?? DEFAULT_ACCOUNT}.dkr.ecr.${region}.amazonaws.com`,
          },
        ],
      },
      requestId,
    );
  }

  function dispatch(call: ParsedCall, caller: Caller, region: string, requestId: string): Reply {
    if (call.service === 'iam') return iam.dispatch(call, caller, requestId);
    if (call.service === 'sts') {
      switch (call.action) {
        case 'GetSessionToken':
          return getSessionToken(call, caller, requestId);
        case 'GetCallerIdentity':
          return getCallerIdentity(caller, requestId);
        case 'AssumeRole':
          return assumeRole(call, caller, requestId);
        case 'GetFederationToken':
          return signin.getFederationToken(call, caller, requestId);
        default:
          return stsError(
            { status: 400, code: 'InvalidAction', message: `Could not find operation ${call.action} for version 2011-06-15` },
            requestId,
          );
      }
    }
    if (call.malformedJson) {
      return ecrError({ status: 400, code: 'SerializationException', message: 'Start of structure or map found where not expected.' }, requestId);
    }
    if (call.action === 'GetAuthorizationToken') return getAuthorizationToken(caller, region, requestId);
    return ecrError({ status: 400, code: 'UnknownOperationException', message: '' }, requestId);
  }

  function faultReply(fault: '500' | 'throttle' | 'malformed', call: ParsedCall, requestId: string): Reply {
    switch (fault) {
      case '500':
        return errorReply(call.service, { status: 500, code: 'InternalFailure', message: INTERNAL_FAILURE_MESSAGE, type: 'Receiver' }, requestId);
      case 'throttle':
        return errorReply(
          call.service,
          { status: 400, code: call.service === 'sts' ? 'Throttling' : 'ThrottlingException', message: 'Rate exceeded' },
          requestId,
        );
      case 'malformed':
        // A response cut off mid-element: the SDK must fail to parse it rather than see empty credentials
        return call.service === 'sts'
          ? {
              status: 200,
              headers: { 'content-type': 'text/xml', 'x-amzn-requestid': requestId },
              body: `<${call.action || 'Unknown'}Response xmlns="${STS_NAMESPACE}"><${call.action || 'Unknown'}Result><Credentials><SessionToken>IQoJb3Jp</Sess`,
            }
          : {
              status: 200,
              headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': requestId },
              body: '{"authorizationData":[{"authorizationToken":"QVdTOmV5SndZWGxz',
            };
    }
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const incoming = await readRequest(req);
    if (signin.serves(incoming)) return signin.answer(incoming, res);
    const call = parseCall(incoming);
    const auth = parseAuthorization(incoming.headers['authorization']);
    const region = auth?.region ?? '';
    const verdict = await authenticate(incoming, call, auth);
    record({
      service: call.service,
      method: incoming.method,
      path: incoming.path,
      action: call.action,
      params: call.params,
      accessKeyId: auth?.accessKeyId ?? '',
      sessionToken: incoming.headers['x-amz-security-token'],
      region,
      signatureValid: verdict.signatureValid,
      headers: incoming.headers,
      body: incoming.body,
    });

    for (const hold of holds.filter((each) => each.service === undefined || each.service === call.service)) await hold.released;
    const requestId = randomUUID();
    let reply: Reply;
    const fault = takeFault(call.service, region);
    if (typeof fault === 'function') {
      fault(res, { service: call.service, action: call.action });
      return;
    } else if (fault === 'reset') {
      req.socket.destroy();
      return;
    } else if (fault === 'hang') {
      return; // close() destroys the connection
    } else if (fault) {
      reply = faultReply(fault, call, requestId);
    } else if (verdict.failure || !verdict.caller) {
      reply = errorReply(call.service, authError(verdict.failure ?? 'missing', call.service), requestId);
    } else {
      reply = dispatch(call, verdict.caller, region, requestId);
    }
    res.writeHead(reply.status, { ...reply.headers, 'content-length': Buffer.byteLength(reply.body) });
    res.end(reply.body);
  }

  const signin = fakeSignin({ now, sessions, newSession, credentialsXml, stsReply, stsError, xmlEscape });

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      // A bug in the fake, not an AWS behaviour: make it loud
      process.stderr.write(`fake AWS endpoint failed: ${error instanceof Error ? error.stack : String(error)}\n`);
      if (!res.headersSent) res.writeHead(599, { 'content-type': 'text/plain' });
      res.end(`fake AWS endpoint failed: ${String(error)}`);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    issued,
    assumed,
    ecrPasswords,
    signin,
    iam: iam.api,
    addUser(user) {
      users.set(user.accessKeyId, user);
    },
    addRole(role) {
      roles.set(role.arn, role);
    },
    injectFault(fault, { service, region, times = Infinity } = {}) {
      faults.push({ fault, service, region, remaining: times });
    },
    injectReply(reply, { service, region, times = Infinity } = {}) {
      faults.push({ fault: reply, service, region, remaining: times });
    },
    get roleSessionSeconds() {
      return roleSessionSeconds;
    },
    set roleSessionSeconds(seconds) {
      roleSessionSeconds = seconds;
    },
    clearFaults() {
      faults = [];
    },
    nextRequest({ service } = {}) {
      return new Promise((resolve) => waiting.push({ service, resolve }));
    },
    holdAnswers({ service } = {}) {
      let release!: () => void;
      const hold = { service, released: new Promise<void>((resolve) => (release = resolve)) };
      holds.push(hold);
      return {
        release() {
          if (holds.includes(hold)) holds.splice(holds.indexOf(hold), 1);
          release();
        },
      };
    },
    close() {
      return new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        // close() alone waits for open connections, and a hanging one never finishes
        server.closeAllConnections();
      });
    },
  };
}

// --- raw signed requests, for services whose SDK client is not installed (ECR) ---------------------------

export interface RawCall {
  service: string;
  region: string;
  credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  /** besides host, x-amz-date and x-amz-security-token, which the signer adds */
  headers?: Record<string, string>;
  body?: string;
  path?: string;
}

export interface PreparedRequest {
  url: string;
  method: 'POST';
  headers: Record<string, string>;
  body: string;
}

/** Signs a POST to `baseUrl` the way the SDK would (host and every given header signed). */
export async function signRawRequest(baseUrl: string, call: RawCall): Promise<PreparedRequest> {
  const url = new URL(call.path ?? '/', baseUrl);
  const body = call.body ?? '';
  const signer = new SignatureV4({ service: call.service, region: call.region, credentials: call.credentials, sha256: NodeSha256 });
  const signed = await signer.sign({
    method: 'POST',
    protocol: url.protocol,
    hostname: url.hostname,
    port: Number(url.port),
    path: url.pathname,
    query: {},
    headers: { host: url.host, ...call.headers },
    body,
  });
  // fetch sets Host itself and refuses to be given one
  const { host: _host, ...headers } = signed.headers;
  return { url: url.toString(), method: 'POST', headers, body };
}

export async function sendRawRequest(request: PreparedRequest): Promise<{ status: number; headers: Headers; body: string }> {
  const response = await fetch(request.url, { method: request.method, headers: request.headers, body: request.body });
  return { status: response.status, headers: response.headers, body: await response.text() };
}

/** A JSON 1.1 ECR call, as @aws-sdk/client-ecr would send it. */
export async function callEcr(
  baseUrl: string,
  action: string,
  opts: { region: string; credentials: RawCall['credentials']; body?: string },
): Promise<{ status: number; headers: Headers; body: string }> {
  const request = await signRawRequest(baseUrl, {
    service: 'ecr',
    region: opts.region,
    credentials: opts.credentials,
    headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': `${ECR_TARGET_PREFIX}${action}` },
    body: opts.body ?? '{}',
  });
  return sendRawRequest(request);
}
