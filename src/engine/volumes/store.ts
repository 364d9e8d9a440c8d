/**
 * Volume rows and their directories. A row is written before its directory (so a directory
 * without a row is garbage) and deleted before it; container references live in
 * `container_volumes`, written in the container's own create transaction.
 */
import { join } from 'node:path';
import type { EngineContext } from '../context.js';

export interface VolumeRow {
  name: string;
  driver: string;
  created: number;
  labels: Record<string, string>;
  options: Record<string, string>;
  anonymous: boolean;
}

interface RawRow {
  name: string;
  driver: string;
  created: number;
  labels: string;
  options: string;
  anonymous: number;
}

function decode(r: RawRow): VolumeRow {
  return {
    name: r.name,
    driver: r.driver,
    created: r.created,
    labels: JSON.parse(r.labels) as Record<string, string>,
    options: JSON.parse(r.options) as Record<string, string>,
    anonymous: r.anonymous === 1,
  };
}

/** Docker's layout: `<root>/volumes/<name>/_data` is what containers see. */
export function volumeDir(ctx: EngineContext, name: string): string {
  return join(ctx.root, 'volumes', name);
}

export function dataDir(ctx: EngineContext, name: string): string {
  return join(volumeDir(ctx, name), '_data');
}

export function getVolume(ctx: EngineContext, name: string): VolumeRow | undefined {
  const r = ctx.db.prepare('SELECT * FROM volumes WHERE name = ?').get(name) as RawRow | undefined;
  return r && decode(r);
}

export function listVolumes(ctx: EngineContext): VolumeRow[] {
  return (ctx.db.prepare('SELECT * FROM volumes ORDER BY name').all() as RawRow[]).map(decode);
}

/** Inserts the row unless the name exists; true when this call created it. */
export function insertVolume(ctx: EngineContext, v: VolumeRow): boolean {
  const r = ctx.db
    .prepare('INSERT OR IGNORE INTO volumes (name, driver, created, labels, options, anonymous) VALUES (?, ?, ?, ?, ?, ?)')
    .run(v.name, v.driver, v.created, JSON.stringify(v.labels), JSON.stringify(v.options), v.anonymous ? 1 : 0);
  return r.changes > 0;
}

export function deleteVolumeRow(ctx: EngineContext, name: string): void {
  ctx.db.prepare('DELETE FROM volumes WHERE name = ?').run(name);
}

export interface VolumeUser {
  id: string;
  name: string;
  status: string;
  conmonPid: number;
}

/** Containers whose config mounts the volume. */
export function volumeUsers(ctx: EngineContext, volume: string): VolumeUser[] {
  return ctx.db
    .prepare(
      `SELECT DISTINCT c.id AS id, c.name AS name,
              COALESCE(json_extract(c.state, '$.status'), '') AS status,
              COALESCE(json_extract(c.state, '$.conmonPid'), 0) AS conmonPid
       FROM container_volumes cv JOIN containers c ON c.id = cv.container_id
       WHERE cv.volume = ? ORDER BY c.created`,
    )
    .all(volume) as VolumeUser[];
}

/** volume name → number of containers that mount it. */
export function refCounts(ctx: EngineContext): Map<string, number> {
  const rows = ctx.db
    .prepare('SELECT volume, COUNT(DISTINCT container_id) AS n FROM container_volumes GROUP BY volume')
    .all() as { volume: string; n: number }[];
  return new Map(rows.map((r) => [r.volume, r.n]));
}

export function containerVolumeNames(ctx: EngineContext, containerId: string): string[] {
  return (ctx.db.prepare('SELECT DISTINCT volume FROM container_volumes WHERE container_id = ?').all(containerId) as { volume: string }[]).map(
    (r) => r.volume,
  );
}

export function insertContainerVolume(ctx: EngineContext, containerId: string, destination: string, volume: string): void {
  ctx.db.prepare('INSERT OR REPLACE INTO container_volumes (container_id, destination, volume) VALUES (?, ?, ?)').run(containerId, destination, volume);
}
