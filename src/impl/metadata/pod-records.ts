/**
 * Pod rows: identity and the infra container as columns, the create request as a JSON document
 * owned by the engine. Members are found through their own config (`config.pod`).
 */
import type { DB } from './db.js';
import { writeTx } from './db.js';

export interface PodRow<C> {
  id: string;
  name: string;
  infraId: string | null;
  created: number;
  config: C;
}

interface RawRow {
  id: string;
  name: string;
  infra_id: string | null;
  created: number;
  config: string;
}

export class PodRecords<C> {
  constructor(readonly db: DB) {}

  private decode(r: RawRow): PodRow<C> {
    return { id: r.id, name: r.name, infraId: r.infra_id, created: r.created, config: JSON.parse(r.config) as C };
  }

  /** False when the name is taken. */
  insert(row: PodRow<C>): boolean {
    return writeTx(this.db, () => {
      if (this.db.prepare('SELECT 1 FROM pods WHERE name = ?').get(row.name)) return false;
      this.db
        .prepare('INSERT INTO pods (id, name, infra_id, created, config) VALUES (?, ?, ?, ?, ?)')
        .run(row.id, row.name, row.infraId, row.created, JSON.stringify(row.config));
      return true;
    });
  }

  setInfra(id: string, infraId: string | null): void {
    writeTx(this.db, () => this.db.prepare('UPDATE pods SET infra_id = ? WHERE id = ?').run(infraId, id));
  }

  get(id: string): PodRow<C> | undefined {
    const r = this.db.prepare('SELECT * FROM pods WHERE id = ?').get(id) as RawRow | undefined;
    return r && this.decode(r);
  }

  idByName(name: string): string | undefined {
    return (this.db.prepare('SELECT id FROM pods WHERE name = ?').get(name) as { id: string } | undefined)?.id;
  }

  idsByPrefix(prefix: string): string[] {
    return (this.db.prepare('SELECT id FROM pods WHERE id >= ? AND id < ?').all(prefix, `${prefix}\uffff`) as { id: string }[]).map((r) => r.id);
  }

  list(): PodRow<C>[] {
    return (this.db.prepare('SELECT * FROM pods ORDER BY created DESC').all() as RawRow[]).map((r) => this.decode(r));
  }

  delete(id: string): void {
    writeTx(this.db, () => this.db.prepare('DELETE FROM pods WHERE id = ?').run(id));
  }
}
