import { readFileSync } from 'node:fs';

let cached: number | null | undefined;

/**
 * The host uid of the user skiff runs for when that user is not root: its own uid outside any
 * user namespace, or, inside the namespace skiff made for it (where it is uid 0), the host uid
 * its uid 0 maps to. Reading the map rather than an environment variable means conmon's exit
 * command and every other child inside the namespace know it without being told. Undefined for
 * real root (the initial namespace, whose map is the identity).
 */
export function rootlessUid(): number | undefined {
  if (cached !== undefined) return cached ?? undefined;
  const uid = process.getuid?.() ?? 0;
  if (uid !== 0) {
    cached = uid;
    return uid;
  }
  cached = null;
  try {
    const outside = mappedRootOf(readFileSync('/proc/self/uid_map', 'utf8'));
    if (outside !== undefined && outside !== 0) cached = outside;
  } catch {
    // No /proc: not in a namespace skiff could have made.
  }
  return cached ?? undefined;
}

/** The host id that id 0 maps to in a /proc/PID/uid_map text; undefined when 0 is not mapped. */
export function mappedRootOf(map: string): number | undefined {
  for (const line of map.split('\n')) {
    const [inside, outside, count] = line.trim().split(/\s+/).map(Number);
    if (inside === 0 && count !== undefined && count > 0 && outside !== undefined && Number.isInteger(outside)) return outside;
  }
  return undefined;
}

/** Whether this process is in a user namespace other than the host's (its uid map is not the identity). */
export function inUserNamespace(): boolean {
  try {
    const lines = readFileSync('/proc/self/uid_map', 'utf8').trim().split('\n');
    return !(lines.length === 1 && /^0\s+0\s+4294967295$/.test(lines[0]!.trim()));
  } catch {
    return false;
  }
}

/** The user's home: $HOME, else its /etc/passwd entry (inside the namespace, os.userInfo() names root's). */
export function userHome(uid: number, env: NodeJS.ProcessEnv = process.env): string {
  if (env.HOME && env.HOME.startsWith('/')) return env.HOME;
  try {
    for (const line of readFileSync('/etc/passwd', 'utf8').split('\n')) {
      const f = line.split(':');
      if (f.length >= 6 && Number(f[2]) === uid && f[5]) return f[5];
    }
  } catch {
    // fall through
  }
  return `/tmp/skiff-${uid}`;
}

/** The user's login name from /etc/passwd (how /etc/subuid names most ranges). */
export function userName(uid: number): string | undefined {
  try {
    for (const line of readFileSync('/etc/passwd', 'utf8').split('\n')) {
      const f = line.split(':');
      if (f.length >= 3 && Number(f[2]) === uid) return f[0];
    }
  } catch {
    // fall through
  }
  return undefined;
}
