import { resolveTarget, writeFileAtomic, type WriteResult } from '../store/atomic.js';
import { applyLogin, applyLogout, backupSectionFor, holdsSession, requireProfile, rotationIn, type Rotation, type SessionKeys } from '../store/credentials.js';
import { findSection, joinLines } from '../store/ini.js';
import { withFileLock } from '../store/lock.js';
import { loadIniFile } from '../store/read.js';

// What a write did beyond the session itself: keys rotated in [PROFILE] while logged in became the long-term keys.
export interface SessionWrite extends WriteResult {
  rotation?: Rotation | undefined;
}

// Read-modify-write under the lock, from a fresh read: another run may have logged in while STS answered us.
// backupCreated: this write put the long-term keys aside (the first login since the last logout).
export async function writeSession(path: string, profile: string, session: SessionKeys): Promise<SessionWrite & { backupCreated: boolean }> {
  return withFileLock(resolveTarget(path), async () => {
    const fresh = loadIniFile(path);
    const backupCreated = !findSection(fresh.doc, backupSectionFor(profile));
    const rotation = rotationIn(fresh.doc, profile, path);
    return { ...writeFileAtomic(path, joinLines(applyLogin(fresh.doc, profile, session, path))), rotation, backupCreated };
  });
}

export type LogoutOutcome = { restored: true; write: SessionWrite } | { restored: false; foreignSession: boolean };

export async function restoreLongTermKeys(path: string, profile: string): Promise<LogoutOutcome> {
  return withFileLock(resolveTarget(path), async () => {
    const fresh = loadIniFile(path);
    const rotation = rotationIn(fresh.doc, profile, path);
    const restored = applyLogout(fresh.doc, profile, path);
    if (!restored) {
      requireProfile(fresh.doc, profile, path);
      return { restored: false, foreignSession: holdsSession(findSection(fresh.doc, profile)) };
    }
    return { restored: true, write: { ...writeFileAtomic(path, joinLines(restored)), rotation } };
  });
}
