import { Option, UsageError } from 'clipanion';

// `--profile NAME` / `-p NAME`, as the AWS CLI's users type it, wherever PROFILE is. A command takes it with one
// field, `profileFlag = profileOption();`: AppCommand folds it into PROFILE before execute() (applyProfileOption).
export const profileOption = () => Option.String(`--profile,-p`, { description: `The profile, as the AWS CLI takes it (the same as PROFILE)` });

interface TakesProfile {
  profileFlag?: string | undefined;
  profile?: string | undefined;
  code?: string | undefined;
}

// With --profile, the first word is the CODE when it looks like one (`aws2fa login --profile prod 123456`); a
// PROFILE word naming another profile is a usage error, rather than one of them silently winning.
export function applyProfileOption(command: object): void {
  const words = command as TakesProfile;
  const flag = words.profileFlag;
  if (!(`profileFlag` in command) || flag === undefined) return;
  const word = words.profile;
  if (word !== undefined && word !== flag && `code` in command && words.code === undefined && /^[\d ]+$/.test(word)) {
    words.code = word;
  } else if (word !== undefined && word !== flag) {
    throw new UsageError(`--profile ${flag} and PROFILE ${word} name two profiles: give one`);
  }
  words.profile = flag;
}
