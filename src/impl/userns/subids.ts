import { readFileSync } from 'node:fs';
import { failedPrecondition } from '../../core/errdefs.js';
import { subIdRanges, type SubIdRange } from '../../core/config/subids.js';

export const SUBUID_FILE = '/etc/subuid';
export const SUBGID_FILE = '/etc/subgid';

/**
 * A user's first subordinate uid and gid ranges; a missing range fails naming the file to fix,
 * since without one newuidmap/newgidmap map nothing but the user's own id.
 */
export function subordinateRanges(uid: number, gid: number, user: string | undefined, files = { uid: SUBUID_FILE, gid: SUBGID_FILE }): { uid: SubIdRange; gid: SubIdRange } {
  const who = user ? `${user} (uid ${uid})` : `uid ${uid}`;
  const one = (file: string, id: number, kind: string): SubIdRange => {
    let text = '';
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      // a missing file has no range either
    }
    const r = subIdRanges(text, user, id)[0];
    if (!r) {
      throw failedPrecondition(
        `no subordinate ${kind} range for ${who} in ${file}: add a line "${user ?? id}:100000:65536" ` +
          `(e.g. usermod --add-sub${kind}s 100000-165535 ${user ?? id}), as rootless mode needs one in both ${SUBUID_FILE} and ${SUBGID_FILE}`,
      );
    }
    return r;
  };
  return { uid: one(files.uid, uid, 'uid'), gid: one(files.gid, gid, 'gid') };
}
