/**
 * The build cache table: what one built instruction produced (its top layer and the image
 * config so far), under a key that hashes everything the instruction depended on. A row keeps
 * its top layer (and through `parent` the layers below) and the blobs of the whole chain from
 * being collected.
 */
import type { DB } from './db.js';
import { writeTx } from './db.js';
import { MissingReference } from './records.js';

export interface BuildCacheRow {
  key: string;
  topLayer: string | null;
  /** JSON owned by the builder. */
  state: string;
  created: number;
  lastUsed: number;
}

interface RawRow {
  key: string;
  top_layer: string | null;
  state: string;
  created: number;
  last_used: number;
}

const toRow = (r: RawRow): BuildCacheRow => ({ key: r.key, topLayer: r.top_layer, state: r.state, created: r.created, lastUsed: r.last_used });

export class BuildCacheRecords {
  constructor(private readonly db: DB) {}

  get(key: string): BuildCacheRow | undefined {
    const r = this.db.prepare('SELECT * FROM build_cache WHERE key = ?').get(key) as RawRow | undefined;
    return r && toRow(r);
  }

  /** Marks rows as used now (for `builder prune --filter until=`), in one transaction. */
  touch(keys: string[]): void {
    if (!keys.length) return;
    const now = Date.now();
    writeTx(this.db, () => {
      const st = this.db.prepare('UPDATE build_cache SET last_used = ? WHERE key = ?');
      for (const k of keys) st.run(now, k);
    });
  }

  /**
   * Records (or replaces) a row, after checking in the same transaction that its layer is still
   * complete and its blobs still exist; otherwise MissingReference (a concurrent removal won).
   */
  put(row: { key: string; topLayer: string | null; state: string; blobs: string[] }, blobExists: (d: string) => boolean): void {
    writeTx(this.db, () => {
      if (row.topLayer) {
        const l = this.db.prepare('SELECT complete FROM layers WHERE id = ?').get(row.topLayer) as { complete: number } | undefined;
        if (!l || l.complete !== 1) throw new MissingReference(`layer ${row.topLayer}`);
      }
      for (const d of row.blobs) if (!blobExists(d)) throw new MissingReference(`blob ${d}`);
      const now = Date.now();
      this.db.prepare('DELETE FROM build_cache WHERE key = ?').run(row.key);
      this.db
        .prepare('INSERT INTO build_cache (key, top_layer, state, created, last_used) VALUES (?, ?, ?, ?, ?)')
        .run(row.key, row.topLayer, row.state, now, now);
      const add = this.db.prepare('INSERT OR IGNORE INTO build_cache_blobs (key, digest) VALUES (?, ?)');
      for (const d of row.blobs) add.run(row.key, d);
    });
  }

  list(): BuildCacheRow[] {
    return (this.db.prepare('SELECT * FROM build_cache ORDER BY created').all() as RawRow[]).map(toRow);
  }

  delete(key: string): void {
    this.db.prepare('DELETE FROM build_cache WHERE key = ?').run(key);
  }

  blobs(key: string): string[] {
    return (this.db.prepare('SELECT digest FROM build_cache_blobs WHERE key = ?').all(key) as { digest: string }[]).map((r) => r.digest);
  }
}
