/**
 * @module config/subids
 * /etc/subuid and /etc/subgid (shadow's subid(5)): `NAME_OR_ID:START:COUNT` lines giving a user
 * the host ids its user namespace may map. Pure: the caller reads the files.
 */

export interface SubIdRange {
  start: number;
  count: number;
}

/** The ranges of one user, named by login name or by numeric id, in file order. */
export function subIdRanges(text: string, user: string | undefined, id: number): SubIdRange[] {
  const out: SubIdRange[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const [who, start, count] = line.split(':');
    if (who !== String(id) && (user === undefined || who !== user)) continue;
    const s = Number(start);
    const c = Number(count);
    if (Number.isInteger(s) && Number.isInteger(c) && s > 0 && c > 0) out.push({ start: s, count: c });
  }
  return out;
}
