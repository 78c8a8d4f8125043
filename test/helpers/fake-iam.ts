// IAM for the fake AWS endpoint (aws-endpoint.ts dispatches here): ListAccessKeys, CreateAccessKey and
// DeleteAccessKey in the Query protocol, answered in IAM's exact XML, with IAM's errors (LimitExceeded for a third
// key, NoSuchEntity, an explicit MFA deny for calls not signed with an MFA session). The access keys of an IAM user
// are the endpoint's FakeUsers of that account and user name: a key created here signs STS calls like any other,
// a deleted one is refused, and sessions made with a deleted key keep working, as with AWS.
import { randomInt } from 'node:crypto';
import type { FakeUser, IssuedSession } from './aws-endpoint.js';

export const IAM_VERSION = '2010-05-08';
const IAM_NAMESPACE = 'https://iam.amazonaws.com/doc/2010-05-08/';
const DEFAULT_ACCOUNT = '123456789012';
const DEFAULT_USER_NAME = 'alice';
// Keys the test added without a date: made long ago.
const LONG_AGO = new Date('2025-01-15T10:00:00Z');

type Caller = { kind: 'user'; user: FakeUser } | { kind: 'session'; session: IssuedSession };

interface Reply {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export interface IamError {
  status: number;
  code: string;
  message: string;
}

export interface IamKey {
  accessKeyId: string;
  secretAccessKey: string;
  status: 'Active' | 'Inactive';
  created: Date;
}

export interface FakeIam {
  /** the access keys of an IAM user (default alice of 123456789012), in creation order */
  keysOf(userName?: string, account?: string): IamKey[];
  /** keys handed out by CreateAccessKey */
  created: IamKey[];
  /** key ids deleted by DeleteAccessKey */
  deleted: string[];
  /** each key CreateAccessKey makes from now on is refused by STS (InvalidClientTokenId) for its first N uses */
  newKeysFailFirst: number;
  /** IAM calls not signed with an MFA session are denied, as by a policy that requires MFA (default true) */
  requireMfa: boolean;
  /** when a key the test added was made (default: long ago) */
  setCreated(accessKeyId: string, created: Date): void;
  /** a key of the same user as `like`, as if made elsewhere (the console, another machine) */
  addKey(like: FakeUser, opts?: { created?: Date; disabled?: boolean }): IamKey;
  /** IAM forgets a key (as DeleteAccessKey does) */
  removeKey(accessKeyId: string): void;
}

const UPPER_ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
const BASE64_CHARS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

function randomChars(alphabet: string, length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) out += alphabet[randomInt(alphabet.length)];
  return out;
}

// 40 characters with '+', '/' and '=' in them, as real secrets often have.
function newSecret(): string {
  const chars = [...randomChars(BASE64_CHARS, 37)];
  for (const special of ['+', '/', '=']) chars.splice(randomInt(chars.length + 1), 0, special);
  return chars.join('');
}

function xmlEscape(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

// Second precision, as IAM sends it: 2026-11-24T06:12:00Z
function isoSeconds(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function iamReply(action: string, result: string | undefined, requestId: string): Reply {
  const body =
    `<${action}Response xmlns="${IAM_NAMESPACE}">\n` +
    (result === undefined ? '' : `  <${action}Result>\n${result}  </${action}Result>\n`) +
    `  <ResponseMetadata>\n    <RequestId>${requestId}</RequestId>\n  </ResponseMetadata>\n` +
    `</${action}Response>\n`;
  return { status: 200, headers: { 'content-type': 'text/xml', 'x-amzn-requestid': requestId }, body };
}

export function iamError(error: IamError, requestId: string): Reply {
  const body =
    `<ErrorResponse xmlns="${IAM_NAMESPACE}">\n` +
    `  <Error>\n    <Type>${error.status >= 500 ? 'Receiver' : 'Sender'}</Type>\n` +
    `    <Code>${xmlEscape(error.code)}</Code>\n    <Message>${xmlEscape(error.message)}</Message>\n  </Error>\n` +
    `  <RequestId>${requestId}</RequestId>\n` +
    `</ErrorResponse>\n`;
  return { status: error.status, headers: { 'content-type': 'text/xml', 'x-amzn-requestid': requestId }, body };
}

/** A CustomReply for FakeAws.injectReply: IAM refusing a call with this error. */
export function iamErrorReply(status: number, code: string, message: string) {
  return (response: import('node:http').ServerResponse): void => {
    const reply = iamError({ status, code, message }, `00000000-0000-4000-8000-${Date.now().toString().padStart(12, '0').slice(-12)}`);
    response.writeHead(reply.status, { ...reply.headers, 'content-length': Buffer.byteLength(reply.body) });
    response.end(reply.body);
  };
}

export function createFakeIam(users: Map<string, FakeUser>, now: () => Date) {
  const created = new Map<string, Date>();
  const failing = new Map<string, number>();
  const api: FakeIam = {
    keysOf: (userName = DEFAULT_USER_NAME, account = DEFAULT_ACCOUNT) => keysOf(account, userName),
    created: [],
    deleted: [],
    newKeysFailFirst: 0,
    requireMfa: true,
    setCreated(accessKeyId, date) {
      created.set(accessKeyId, date);
    },
    addKey(like, opts = {}) {
      const key = newKey(like, opts.created ?? now());
      if (opts.disabled) users.get(key.accessKeyId)!.disabled = true;
      return { ...key, status: opts.disabled ? 'Inactive' : 'Active' };
    },
    removeKey(accessKeyId) {
      users.delete(accessKeyId);
    },
  };

  const accountOf = (user: FakeUser) => user.account ?? DEFAULT_ACCOUNT;
  const nameOf = (user: FakeUser) => user.userName ?? DEFAULT_USER_NAME;

  function keysOf(account: string, userName: string): IamKey[] {
    return [...users.values()]
      .filter((user) => accountOf(user) === account && nameOf(user) === userName)
      .map((user) => ({
        accessKeyId: user.accessKeyId,
        secretAccessKey: user.secretAccessKey,
        status: user.disabled ? ('Inactive' as const) : ('Active' as const),
        created: created.get(user.accessKeyId) ?? LONG_AGO,
      }))
      .sort((a, b) => a.created.getTime() - b.created.getTime());
  }

  function newKey(like: FakeUser, date: Date): IamKey {
    const user: FakeUser = { ...like, accessKeyId: `AKIA${randomChars(UPPER_ALNUM, 16)}`, secretAccessKey: newSecret(), disabled: false };
    users.set(user.accessKeyId, user);
    created.set(user.accessKeyId, new Date(Math.floor(date.getTime() / 1000) * 1000));
    return { accessKeyId: user.accessKeyId, secretAccessKey: user.secretAccessKey, status: 'Active', created: created.get(user.accessKeyId)! };
  }

  // Whether STS refuses this long-term key for now (a new key not yet spread): each use counts.
  function notYetValid(accessKeyId: string): boolean {
    const left = failing.get(accessKeyId) ?? 0;
    if (left <= 0) return false;
    failing.set(accessKeyId, left - 1);
    return true;
  }

  function member(userName: string, key: IamKey, indent: string, secret = false): string {
    return (
      `${indent}<UserName>${xmlEscape(userName)}</UserName>\n` +
      `${indent}<AccessKeyId>${key.accessKeyId}</AccessKeyId>\n` +
      `${indent}<Status>${key.status}</Status>\n` +
      (secret ? `${indent}<SecretAccessKey>${xmlEscape(key.secretAccessKey)}</SecretAccessKey>\n` : '') +
      `${indent}<CreateDate>${isoSeconds(key.created)}</CreateDate>\n`
    );
  }

  function dispatch(call: { action: string; params: Record<string, string> }, caller: Caller, requestId: string): Reply {
    const user = caller.kind === 'session' ? caller.session.user : caller.user;
    const role = caller.kind === 'session' ? caller.session.role : undefined;
    const account = accountOf(user);
    const callerArn = role ? role.arn : `arn:aws:iam::${account}:user/${nameOf(user)}`;
    const known = ['ListAccessKeys', 'CreateAccessKey', 'DeleteAccessKey'];
    if (!known.includes(call.action)) {
      return iamError({ status: 400, code: 'InvalidAction', message: `Could not find operation ${call.action} for version ${IAM_VERSION}` }, requestId);
    }
    const userName = call.params['UserName'] ?? (role ? undefined : nameOf(user));
    if (userName === undefined) return iamError({ status: 400, code: 'ValidationError', message: 'Must specify userName when calling with non-User credentials' }, requestId);
    const mfa = caller.kind === 'session' && caller.session.mfa;
    if (api.requireMfa && !mfa) {
      return iamError(
        { status: 403, code: 'AccessDenied', message: `User: ${callerArn} is not authorized to perform: iam:${call.action} on resource: user ${userName} with an explicit deny in an identity-based policy` },
        requestId,
      );
    }
    if (role || userName !== nameOf(user)) {
      return iamError({ status: 403, code: 'AccessDenied', message: `User: ${callerArn} is not authorized to perform: iam:${call.action} on resource: user ${userName} because no identity-based policy allows the iam:${call.action} action` }, requestId);
    }
    const keys = keysOf(account, userName);
    switch (call.action) {
      case 'ListAccessKeys':
        return iamReply(
          'ListAccessKeys',
          `    <UserName>${xmlEscape(userName)}</UserName>\n` +
            `    <AccessKeyMetadata>\n` +
            keys.map((key) => `      <member>\n${member(userName, key, '        ')}      </member>\n`).join('') +
            `    </AccessKeyMetadata>\n` +
            `    <IsTruncated>false</IsTruncated>\n`,
          requestId,
        );
      case 'CreateAccessKey': {
        if (keys.length >= 2) return iamError({ status: 409, code: 'LimitExceeded', message: 'Cannot exceed quota for AccessKeysPerUser: 2' }, requestId);
        const key = newKey(user, now());
        api.created.push(key);
        if (api.newKeysFailFirst > 0) failing.set(key.accessKeyId, api.newKeysFailFirst);
        return iamReply('CreateAccessKey', `    <AccessKey>\n${member(userName, key, '      ', true)}    </AccessKey>\n`, requestId);
      }
      default: {
        const id = call.params['AccessKeyId'] ?? '';
        if (!keys.some((key) => key.accessKeyId === id)) {
          return iamError({ status: 404, code: 'NoSuchEntity', message: `The Access Key with id ${id} cannot be found.` }, requestId);
        }
        users.delete(id);
        api.deleted.push(id);
        return iamReply('DeleteAccessKey', undefined, requestId);
      }
    }
  }

  return { api, dispatch, notYetValid };
}
