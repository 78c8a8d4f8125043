// AWS region names: us-east-1, us-gov-west-1, cn-north-1, eusc-de-east-1. One definition for every place a
// region enters (options, profiles, the environment), so each is refused the same way before any request.
const REGION_NAME = /^[a-z]{2,}(-[a-z]+)+-\d+$/;

export function isRegionName(text: string): boolean {
  return REGION_NAME.test(text);
}
