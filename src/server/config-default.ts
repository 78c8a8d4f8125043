import type { AppContext } from '../context.js';
import { UserError } from '../errors.js';
import { configProfileName } from '../store/config.js';
import { optionValue } from '../store/ini.js';
import { resolveAwsFiles } from '../store/paths.js';
import { loadIniFile } from '../store/read.js';

// Keys of [default] in the config file that give the SDKs credentials of their own before they ask the server.
const CREDENTIAL_KEYS = [
  `aws_access_key_id`,
  `aws_secret_access_key`,
  `aws_session_token`,
  `credential_process`,
  `role_arn`,
  `credential_source`,
  `web_identity_token_file`,
  `sso_session`,
  `sso_start_url`,
];

// The command keeps reading the user's config file (regions, endpoints, other profiles), and with no profile named
// the SDKs use its [default] first: credentials there would silently stand in for the served ones (another account,
// another user). Said before any request, so the code stays unspent.
export function refuseCredentialsInConfigDefault(context: AppContext): void {
  const path = resolveAwsFiles({}, context.env, context.home).config;
  const doc = loadIniFile(path).doc;
  for (const section of doc.sections.filter((each) => configProfileName(each.name) === `default`)) {
    const key = CREDENTIAL_KEYS.find((name) => optionValue(section, name) !== undefined);
    if (key) {
      throw new UserError(
        `[${section.name}] in ${path} sets ${key}, which the AWS CLI and the SDKs would use instead of the credentials exec --server serves: ` +
          `move it to a named profile, or run aws2fa exec without --server`,
      );
    }
  }
}
