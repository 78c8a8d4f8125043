import { execFileSync } from 'node:child_process';

// A test that needs an outside tool says so loudly where it is missing, and fails on CI, which installs them all.
export function findTool(name: string, candidates: string[] = [name]): string | null {
  for (const candidate of candidates) {
    try {
      const found = candidate.includes('/') ? candidate : execFileSync('sh', ['-c', `command -v ${candidate}`], { encoding: 'utf8' }).trim();
      if (found) {
        execFileSync('test', ['-x', found]);
        return found;
      }
    } catch {
      // not this one
    }
  }
  if (process.env.CI === 'true') {
    throw new Error(`${name} is required on CI but was not found (looked for ${candidates.join(', ')})`);
  }
  process.stderr.write(`\n!!!!! SKIPPED: ${name} is not installed; the tests that need it did not run !!!!!\n\n`);
  return null;
}
