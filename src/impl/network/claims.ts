/**
 * @module impl/network/claims
 * Host-wide claims on bridge names and subnets, so that skiff roots sharing a host never pick
 * the same. A bridge exists only while a container uses it, so the host's interfaces and routes
 * alone cannot tell that another root's network already owns a name or subnet: each root records
 * its networks' here, one file per bridge (`iface-<name>`) and per subnet (`subnet-<a.b.c.d>_<n>`),
 * created with O_EXCL and holding the owner's root and network id. A claim is stale once its
 * owner no longer has that network (its root or database gone, or no such row), and is then
 * taken over. The directory must survive reboots, as the roots' network rows do.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, linkSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tryLockFile, unlockAndClose } from '../../sys/flock.js';
import { openForeignDatabase } from '../metadata/db.js';

export type ClaimKind = 'iface' | 'subnet' | 'subnet6';

export interface ClaimOwner {
  root: string;
  network: string;
  /**
   * The owner's skiff.db when it claimed (inode and birth time: ext4 hands a freed inode out
   * again at once). A root removed and made again at the same path (a late `container cleanup`
   * run by conmon did that) has a new database, which cannot hold the network, however young
   * the claim.
   */
  db?: string;
}

const fileName = (kind: ClaimKind, value: string) => `${kind}-${value.replace('/', '_')}`;

/**
 * A claim is written before its network's row commits: one this young counts as live even when
 * its owner's database does not show the network yet.
 */
const GRACE_MS = 60_000;

/** Whether the root's state database still has the network (true when that cannot be read). */
function ownerHasNetwork(o: ClaimOwner): boolean {
  const path = join(o.root, 'skiff.db');
  if (!existsSync(path)) return false;
  try {
    // timeout 0: a root writing right now is taken as still owning its claims.
    const db = openForeignDatabase(path);
    try {
      return !!db.prepare('SELECT 1 FROM networks WHERE id = ?').get(o.network);
    } finally {
      db.close();
    }
  } catch (e) {
    // A database made again but not yet given its tables has no networks.
    return !/no such table/.test((e as Error).message);
  }
}

function dbIdentity(root: string): string | undefined {
  const st = statSync(join(root, 'skiff.db'), { throwIfNoEntry: false });
  return st && `${st.ino}:${st.birthtimeMs}`;
}

export class NetworkClaims {
  /**
   * `hasNetwork` answers for this root from its own open database (a claim of ours is live only
   * while its row exists); other roots' databases are read-only opened on demand.
   */
  constructor(
    readonly dir: string,
    readonly root: string,
    private readonly hasNetwork: (id: string) => boolean,
  ) {}

  private read(file: string): ClaimOwner | undefined {
    try {
      const o = JSON.parse(readFileSync(join(this.dir, file), 'utf8')) as ClaimOwner;
      if (typeof o.root !== 'string' || typeof o.network !== 'string') return undefined;
      return typeof o.db === 'string' ? o : { root: o.root, network: o.network };
    } catch {
      return undefined;
    }
  }

  private live(file: string, o: ClaimOwner): boolean {
    if (o.root === this.root) return this.hasNetwork(o.network);
    // A root whose database is gone owns nothing, however young its claim (a root removed
    // right after making a network left a live-looking claim for a minute).
    const db = dbIdentity(o.root);
    if (db === undefined) return false;
    if (o.db !== undefined && o.db !== db) return ownerHasNetwork(o);
    const age = Date.now() - (statSync(join(this.dir, file), { throwIfNoEntry: false })?.mtimeMs ?? 0);
    return age < GRACE_MS || ownerHasNetwork(o);
  }

  /** Whether the claim on `value` is already our network's (the common case at a container's start). */
  owns(kind: ClaimKind, value: string, network: string): boolean {
    const o = this.read(fileName(kind, value));
    return o?.root === this.root && o.network === network;
  }

  /** Values of `kind` that other roots' live networks hold. */
  heldByOthers(kind: ClaimKind): { value: string; owner: ClaimOwner }[] {
    let files: string[];
    try {
      files = readdirSync(this.dir);
    } catch {
      return [];
    }
    const out: { value: string; owner: ClaimOwner }[] = [];
    for (const f of files) {
      if (!f.startsWith(`${kind}-`)) continue;
      const owner = this.read(f);
      if (!owner || owner.root === this.root || !this.live(f, owner)) continue;
      out.push({ value: f.slice(kind.length + 1).replace('_', '/'), owner });
    }
    return out;
  }

  /**
   * Claims `value` for our network `network`. Returns the other root holding it live, or
   * undefined once the claim is ours (also when it already was).
   */
  claim(kind: ClaimKind, value: string, network: string): ClaimOwner | undefined {
    mkdirSync(this.dir, { recursive: true, mode: 0o755 });
    const file = join(this.dir, fileName(kind, value));
    const db = dbIdentity(this.root);
    const me: ClaimOwner = { root: this.root, network, ...(db !== undefined ? { db } : {}) };
    // Written aside and linked into place, so a claim is never seen half-written.
    const tmp = join(this.dir, `.${fileName(kind, value)}.${randomBytes(6).toString('hex')}`);
    writeFileSync(tmp, JSON.stringify(me));
    try {
      for (let i = 0; i < 3; i++) {
        try {
          linkSync(tmp, file);
          return undefined;
        } catch (e) {
          if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
        }
        const owner = this.read(fileName(kind, value));
        if (owner && owner.root === this.root && owner.network === network) return undefined;
        if (owner && this.live(fileName(kind, value), owner)) return owner;
        // Taking over a stale claim is remove-then-link: two roots doing it at once could each
        // remove the other's fresh link. One at a time, under the directory's lock; a root that
        // finds the lock taken counts the claim as another's (an automatic pick moves on).
        const lock = tryLockFile(join(this.dir, '.takeover.lock'));
        if (lock === undefined) return owner ?? { root: '(another root, taking it over now)', network: '' };
        try {
          const now = this.read(fileName(kind, value));
          if (now && (now.root !== owner?.root || now.network !== owner.network) && this.live(fileName(kind, value), now)) return now;
          rmSync(file, { force: true });
          try {
            linkSync(tmp, file);
            return undefined;
          } catch (e) {
            if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
          }
        } finally {
          unlockAndClose(lock);
        }
      }
      return this.read(fileName(kind, value)) ?? { root: '(unknown)', network: '' };
    } finally {
      rmSync(tmp, { force: true });
    }
  }

  /** Drops our claims on `value`s of a network we removed. */
  release(network: string, values: { kind: ClaimKind; value: string }[]): void {
    for (const { kind, value } of values) {
      const owner = this.read(fileName(kind, value));
      if (owner?.root === this.root && owner.network === network) rmSync(join(this.dir, fileName(kind, value)), { force: true });
    }
  }
}
