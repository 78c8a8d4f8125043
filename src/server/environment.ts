import { commandEnvironment } from '../exec/environment.js';
import type { EnvSession } from '../shell/index.js';

export interface ServerSettings {
  /** AWS_CONTAINER_CREDENTIALS_FULL_URI */
  url: string;
  token: string;
  /** the empty credentials file the command reads instead of the user's */
  credentialsFile: string;
}

// Each of these wins over container credentials in some SDK (static keys, a named profile, web identity, another
// container endpoint or token file), whether the user had it or plain exec would set it.
const WINNING = [
  `AWS_ACCESS_KEY_ID`,
  `AWS_SECRET_ACCESS_KEY`,
  `AWS_SESSION_TOKEN`,
  `AWS_SECURITY_TOKEN`,
  `AWS_PROFILE`,
  `AWS_DEFAULT_PROFILE`,
  `AWS_CONTAINER_CREDENTIALS_RELATIVE_URI`,
  `AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE`,
  `AWS_WEB_IDENTITY_TOKEN_FILE`,
  `AWS_ROLE_ARN`,
  `AWS_ROLE_SESSION_NAME`,
];
// The served session changes as it is renewed: no fixed expiry of it is handed on.
const FIXED_EXPIRY = [`AWS_SESSION_EXPIRATION`, `AWS_CREDENTIAL_EXPIRATION`];

// The command's environment: plain exec's (the user's own, the region, AWS2FA_PROFILE) without any key, and the
// served endpoint in their place. AWS2FA_EXPIRES is when serving ends (the root's MFA session), for the prompt.
export function serverEnvironment(env: Record<string, string | undefined>, session: Omit<EnvSession, 'root' | 'held'>, server: ServerSettings): Record<string, string> {
  const result = commandEnvironment(env, session);
  for (const name of [...WINNING, ...FIXED_EXPIRY]) delete result[name];
  return {
    ...result,
    AWS_CONTAINER_CREDENTIALS_FULL_URI: server.url,
    AWS_CONTAINER_AUTHORIZATION_TOKEN: server.token,
    AWS_SHARED_CREDENTIALS_FILE: server.credentialsFile,
  };
}
