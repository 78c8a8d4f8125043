import type { AppContext } from '../context.js';
import type { SessionKeys } from '../store/credentials.js';
import { profileValue } from '../profiles/chain.js';
import { profileFiles, type ResolvedProfile } from '../profiles/resolve.js';
import { writeSession } from './file-mode.js';
import { rememberSerial } from './session.js';
import { assumeChain, CHAINED_ROLE_LIMIT, DEFAULT_ROOT_SECONDS, rootSessionFor, type RootSource } from './roles.js';

export interface RoleLogin {
  root: SessionKeys;
  source: RootSource;
  /** the role session of the proof: good for a few minutes (ECR) */
  role: SessionKeys;
  written: Awaited<ReturnType<typeof writeSession>> | undefined;
}

// The shortest session AWS hands out: the proof only has to show that every hop is allowed.
const PROOF_SECONDS = 900;

// File mode for a role profile: the root gets (or keeps) its MFA session in the credentials file, every hop is
// assumed once to prove it works, and only then is the file written. No role keys are written anywhere: the
// AWS CLI and the SDKs assume the role themselves from source_profile, and ignore keys in [ROLE].
export async function loginRole(context: AppContext, profile: ResolvedProfile, request: { code?: string | undefined; serial?: string | undefined }): Promise<RoleLogin> {
  const root = await rootSessionFor(context, profile, { ...request, durationSeconds: DEFAULT_ROOT_SECONDS });
  const role = await assumeChain(context, profile, root.keys, PROOF_SECONDS, request.serial);
  const written = root.source === 'new' ? await writeSession(profile.files.credentials, profile.root, root.keys) : undefined;
  if (root.askedSerial) await rememberSerial(profile, root.askedSerial);
  return { root: root.keys, source: root.source, role, written };
}

// What the AWS CLI and SDKs will do on their own with this chain, where it differs from one code a day.
export function roleNotes(profile: ResolvedProfile): string[] {
  const files = profileFiles(profile.files, profile.credentials, profile.config);
  const notes: string[] = [];
  const asking = profile.hops.filter((hop) => profileValue(files, hop.profile, 'mfa_serial') !== undefined).map((hop) => hop.profile);
  if (asking.length > 0) {
    notes.push(
      `note: ${asking.join(', ')} ${asking.length === 1 ? 'names' : 'name'} mfa_serial, so the AWS CLI and the SDKs will ask for a code again whenever they ` +
        `assume ${asking.length === 1 ? 'that role' : 'those roles'}: move mfa_serial to [${profile.root === 'default' ? 'default' : `profile ${profile.root}`}] in ${profile.files.config} ` +
        `(or remove it from the role ${asking.length === 1 ? 'profile' : 'profiles'}) to use ${profile.root}'s MFA session instead`,
    );
  }
  const duration = profile.durationSeconds;
  if (duration !== undefined && duration > CHAINED_ROLE_LIMIT) {
    notes.push(
      `note: duration_seconds = ${duration} in profile ${profile.name}: assumed from ${profile.root}'s session, AWS allows at most ${CHAINED_ROLE_LIMIT}; ` +
        `set duration_seconds = ${CHAINED_ROLE_LIMIT} or less, or the AWS CLI and the SDKs will fail to assume it`,
    );
  }
  return notes;
}
