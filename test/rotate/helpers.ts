import { watch } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import type { FakeAws } from '../helpers/aws-endpoint.js';
import { longTermSection } from '../../src/keys/key-file.js';
import { keysIn, type AccessKeys } from '../../src/store/credentials.js';
import { findSection, parseIni } from '../../src/store/ini.js';

// What the rotate tests check again and again: which long-term key the credentials file holds for a profile, and
// whether it works against the endpoint (GetCallerIdentity signed with it, as any SDK would).

export function filesKey(text: string, profile = 'prod'): AccessKeys {
  const doc = parseIni(text, '(test)');
  const section = longTermSection(doc, profile);
  const keys = section === undefined ? undefined : keysIn(findSection(doc, section));
  if (!keys) throw new Error(`no long-term key of ${profile} in:\n${text}`);
  return keys;
}

export async function keyWorks(fake: FakeAws, keys: AccessKeys & { sessionToken?: string }): Promise<boolean> {
  const client = new STSClient({ region: 'us-east-1', endpoint: fake.url, credentials: keys, maxAttempts: 1 });
  try {
    await client.send(new GetCallerIdentityCommand({}));
    return true;
  } catch {
    return false;
  } finally {
    client.destroy();
  }
}

// The text with one key's id and secret replaced by another's: what a rotation may change, and nothing else.
export function withKey(text: string, from: AccessKeys, to: AccessKeys): string {
  return text.split(from.accessKeyId).join(to.accessKeyId).split(from.secretAccessKey).join(to.secretAccessKey);
}

export const ROTATED = /^rotated alice's key AKIA…[A-Z0-9]{4} → AKIA…[A-Z0-9]{4}; the old key is deleted\n$/;

// Resolves once a file named POINT.PID appears (the run has reached the point): an event, not a time.
export function reached(folder: string, point: string): { seen: Promise<string>; close(): void } {
  let close = () => undefined as void;
  const seen = new Promise<string>((resolve) => {
    const look = async () => {
      const name = (await readdir(folder).catch(() => [] as string[])).find((entry) => entry.startsWith(`${point}.`) && !entry.endsWith('.go'));
      if (name) resolve(join(folder, name));
    };
    const watcher = watch(folder, () => void look());
    close = () => watcher.close();
    void look();
  });
  return { seen, close: () => close() };
}

