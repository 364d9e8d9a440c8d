/**
 * Container rows: identity and references as columns (so images and layers can see who uses
 * them), the create request and the mutable state as JSON documents owned by the engine.
 */
import type { DB } from './db.js';
import { writeTx } from './db.js';

export interface ContainerRow<C, S> {
  id: string;
  name: string;
  imageId: string | null;
  layerId: string | null;
  created: number;
  config: C;
  state: S;
}

interface RawRow {
  id: string;
  name: string;
  image_id: string | null;
  layer_id: string | null;
  created: number;
  config: string;
  state: string;
}

interface Decoded<C, S> {
  configText: string;
  stateText: string;
  config: C;
  state: S;
}

export class ContainerRecords<C, S> {
  private decoded = new Map<string, Decoded<C, S>>();

  constructor(private readonly db: DB) {}

  private decode(r: RawRow): ContainerRow<C, S> {
    return {
      id: r.id,
      name: r.name,
      imageId: r.image_id,
      layerId: r.layer_id,
      created: r.created,
      config: JSON.parse(r.config) as C,
      state: JSON.parse(r.state) as S,
    };
  }

  /** False when the name is taken (the caller reports who holds it). */
  insert(row: ContainerRow<C, S>): boolean {
    return writeTx(this.db, () => {
      if (this.db.prepare('SELECT 1 FROM containers WHERE name = ?').get(row.name)) return false;
      this.db
        .prepare(
          'INSERT INTO containers (id, name, image_id, layer_id, created, config, state) VALUES (?, ?, ?, ?, ?, ?, ?)',
        )
        .run(row.id, row.name, row.imageId, row.layerId, row.created, JSON.stringify(row.config), JSON.stringify(row.state));
      return true;
    });
  }

  get(id: string): ContainerRow<C, S> | undefined {
    const r = this.db.prepare('SELECT * FROM containers WHERE id = ?').get(id) as RawRow | undefined;
    return r && this.decode(r);
  }

  idByName(name: string): string | undefined {
    return (this.db.prepare('SELECT id FROM containers WHERE name = ?').get(name) as { id: string } | undefined)?.id;
  }

  idsByPrefix(prefix: string): string[] {
    return (this.db
      .prepare('SELECT id FROM containers WHERE id >= ? AND id < ?')
      .all(prefix, `${prefix}\uffff`) as { id: string }[]).map((r) => r.id);
  }

  list(): ContainerRow<C, S>[] {
    return (this.db.prepare('SELECT * FROM containers ORDER BY created DESC').all() as RawRow[]).map((r) => this.decode(r));
  }

  /**
   * Like list(), for callers that only read the rows (the container list): a row whose JSON text
   * is what it was at the last call shares the documents decoded then. Parsing every row's
   * config and state was a third of the API service's time to list 500 containers.
   */
  listForReading(): ContainerRow<C, S>[] {
    const raw = this.db.prepare('SELECT * FROM containers ORDER BY created DESC').all() as RawRow[];
    const next = new Map<string, Decoded<C, S>>();
    const rows = raw.map((r) => {
      const was = this.decoded.get(r.id);
      const d: Decoded<C, S> = {
        configText: r.config,
        stateText: r.state,
        config: was && was.configText === r.config ? was.config : (JSON.parse(r.config) as C),
        state: was && was.stateText === r.state ? was.state : (JSON.parse(r.state) as S),
      };
      next.set(r.id, d);
      return { id: r.id, name: r.name, imageId: r.image_id, layerId: r.layer_id, created: r.created, config: d.config, state: d.state };
    });
    // Only the rows of this call stay: removed containers leave the cache with their rows.
    this.decoded = next;
    return rows;
  }

  /**
   * The rows whose state's `status` is one of `statuses`, the others never decoded: the
   * service's timers poll every second, and parsing every row's JSON for the few running ones
   * was main-thread time growing with the number of containers.
   */
  listByStatus(statuses: readonly string[]): ContainerRow<C, S>[] {
    return (
      this.db
        .prepare(
          `SELECT * FROM containers WHERE json_extract(state, '$.status') IN (SELECT value FROM json_each(?)) ORDER BY created DESC`,
        )
        .all(JSON.stringify(statuses)) as RawRow[]
    ).map((r) => this.decode(r));
  }

  /**
   * Read-modify-write of the state in one write transaction. `fn` may throw to refuse the
   * change (a guard), or return false to leave the row untouched.
   */
  updateState(id: string, fn: (state: S, row: ContainerRow<C, S>) => S | false): ContainerRow<C, S> | undefined {
    return writeTx(this.db, () => {
      const row = this.get(id);
      if (!row) return undefined;
      const next = fn(row.state, row);
      if (next === false) return row;
      this.db.prepare('UPDATE containers SET state = ? WHERE id = ?').run(JSON.stringify(next), id);
      return { ...row, state: next };
    });
  }

  /** Read-modify-write of the config (`update`), as updateState does for the state. */
  updateConfig(id: string, fn: (config: C, row: ContainerRow<C, S>) => C): ContainerRow<C, S> | undefined {
    return writeTx(this.db, () => {
      const row = this.get(id);
      if (!row) return undefined;
      const config = fn(row.config, row);
      this.db.prepare('UPDATE containers SET config = ? WHERE id = ?').run(JSON.stringify(config), id);
      return { ...row, config };
    });
  }

  rename(id: string, name: string): boolean {
    return writeTx(this.db, () => {
      if (this.db.prepare('SELECT 1 FROM containers WHERE name = ? AND id != ?').get(name, id)) return false;
      const row = this.get(id);
      if (!row) return false;
      const config = { ...(row.config as object), name };
      this.db.prepare('UPDATE containers SET name = ?, config = ? WHERE id = ?').run(name, JSON.stringify(config), id);
      return true;
    });
  }

  delete(id: string): void {
    this.db.prepare('DELETE FROM containers WHERE id = ?').run(id);
  }
}
