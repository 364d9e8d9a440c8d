/**
 * Typed access to the state tables. Every method is one statement or one transaction; the
 * engine composes them. Names are stored fully qualified (docker.io/library/busybox:latest).
 */
import type { DB } from './db.js';
import { writeTx } from './db.js';

export interface LayerRecord {
  id: string;
  parent: string | null;
  chainId: string | null;
  diffId: string | null;
  blobDigest: string | null;
  blobMediaType: string | null;
  blobSize: number | null;
  uncompressedSize: number;
  diskSize: number;
  complete: boolean;
  created: number;
}

export interface ImageRecord {
  id: string;
  topLayer: string | null;
  manifestDigest: string;
  manifestMediaType: string;
  created: number;
  added: number;
  size: number;
  names: string[];
  digests: { repo: string; digest: string }[];
  /** The image it was committed from (dockerd's Parent); null for pulled, loaded, built ones. */
  parent: string | null;
}

interface LayerRow {
  id: string;
  parent: string | null;
  chain_id: string | null;
  diff_id: string | null;
  blob_digest: string | null;
  blob_media_type: string | null;
  blob_size: number | null;
  uncompressed_size: number;
  disk_size: number;
  complete: number;
  created: number;
}

interface ImageRow {
  id: string;
  top_layer: string | null;
  manifest_digest: string;
  manifest_media_type: string;
  created: number;
  added: number;
  size: number;
  parent: string | null;
}

function toLayer(r: LayerRow): LayerRecord {
  return {
    id: r.id,
    parent: r.parent,
    chainId: r.chain_id,
    diffId: r.diff_id,
    blobDigest: r.blob_digest,
    blobMediaType: r.blob_media_type,
    blobSize: r.blob_size,
    uncompressedSize: r.uncompressed_size,
    diskSize: r.disk_size,
    complete: r.complete === 1,
    created: r.created,
  };
}

export interface NewImage {
  id: string;
  topLayer: string | null;
  layerIds: string[];
  manifestDigest: string;
  manifestMediaType: string;
  blobs: string[];
  created: number;
  size: number;
  names: string[];
  digests: { repo: string; digest: string }[];
  parent?: string | null;
}

export class Records {
  constructor(readonly db: DB) {}

  // ---- meta: facts about the root itself (its storage driver)

  meta(key: string): string | undefined {
    return (this.db.prepare('SELECT value FROM meta WHERE key = ?').get(key) as { value: string } | undefined)?.value;
  }

  /** Sets the key unless another process set it first; returns the value in force. */
  metaDefault(key: string, value: string): string {
    return writeTx(this.db, () => {
      this.db.prepare('INSERT OR IGNORE INTO meta (key, value) VALUES (?, ?)').run(key, value);
      return this.meta(key)!;
    });
  }

  /** Marks a layer for removal: no longer findable by chain id, so nothing new can start using it. */
  retireLayer(id: string): boolean {
    return writeTx(this.db, () => {
      if (!this.layerUnreferenced(id)) return false;
      this.db.prepare('UPDATE layers SET complete = 0, chain_id = NULL WHERE id = ?').run(id);
      return true;
    });
  }

  /** Incomplete layers that no live writer holds: what a crash or a retirement left. */
  abandonedLayers(): string[] {
    return (this.db
      .prepare(
        `SELECT id FROM layers WHERE complete = 0
           AND NOT EXISTS (SELECT 1 FROM lease_refs WHERE kind = 'layer' AND ref = layers.id)
           AND NOT EXISTS (SELECT 1 FROM layers c WHERE c.parent = layers.id)
           AND NOT EXISTS (SELECT 1 FROM containers WHERE layer_id = layers.id)`,
      )
      .all() as { id: string }[]).map((r) => r.id);
  }

  // ---- leases: what an unfinished writer holds, so GC leaves it alone

  createLease(id: string): void {
    this.db.prepare('INSERT INTO leases (id, pid, created) VALUES (?, ?, ?)').run(id, process.pid, Date.now());
  }

  leaseRef(leaseId: string, kind: 'blob' | 'layer', ref: string): void {
    this.db.prepare('INSERT OR IGNORE INTO lease_refs (lease_id, kind, ref) VALUES (?, ?, ?)').run(leaseId, kind, ref);
  }

  deleteLease(id: string): void {
    this.db.prepare('DELETE FROM leases WHERE id = ?').run(id);
  }

  leases(): { id: string; pid: number; created: number }[] {
    return this.db.prepare('SELECT id, pid, created FROM leases').all() as { id: string; pid: number; created: number }[];
  }

  isLeased(kind: 'blob' | 'layer', ref: string): boolean {
    return !!this.db.prepare('SELECT 1 FROM lease_refs WHERE kind = ? AND ref = ? LIMIT 1').get(kind, ref);
  }

  // ---- layers

  layer(id: string): LayerRecord | undefined {
    const r = this.db.prepare('SELECT * FROM layers WHERE id = ?').get(id) as LayerRow | undefined;
    return r && toLayer(r);
  }

  layerByChain(chainId: string): LayerRecord | undefined {
    const r = this.db.prepare('SELECT * FROM layers WHERE chain_id = ? AND complete = 1').get(chainId) as
      | LayerRow
      | undefined;
    return r && toLayer(r);
  }

  allLayers(): LayerRecord[] {
    return (this.db.prepare('SELECT * FROM layers').all() as LayerRow[]).map(toLayer);
  }

  insertLayer(l: { id: string; parent: string | null; created: number }): void {
    this.db
      .prepare('INSERT INTO layers (id, parent, complete, created) VALUES (?, ?, 0, ?)')
      .run(l.id, l.parent, l.created);
  }

  /**
   * Marks an applied layer complete under its chain id. When another writer completed the
   * same chain first, returns that layer's id instead (the caller drops its own copy).
   */
  completeLayer(
    leaseId: string,
    id: string,
    info: {
      chainId: string;
      diffId: string;
      blobDigest: string | null;
      blobMediaType: string | null;
      blobSize: number | null;
      uncompressedSize: number;
      diskSize: number;
    },
  ): string {
    return writeTx(this.db, () => {
      const winner = this.layerByChain(info.chainId);
      if (winner) {
        this.leaseRef(leaseId, 'layer', winner.id);
        return winner.id;
      }
      this.db
        .prepare(
          `UPDATE layers SET chain_id = ?, diff_id = ?, blob_digest = ?, blob_media_type = ?, blob_size = ?,
             uncompressed_size = ?, disk_size = ?, complete = 1 WHERE id = ?`,
        )
        .run(
          info.chainId,
          info.diffId,
          info.blobDigest,
          info.blobMediaType,
          info.blobSize,
          info.uncompressedSize,
          info.diskSize,
          id,
        );
      return id;
    });
  }

  /** Takes a lease on the complete layer with this chain id, if there is one. */
  leaseLayerByChain(leaseId: string, chainId: string): LayerRecord | undefined {
    return writeTx(this.db, () => {
      const l = this.layerByChain(chainId);
      if (l) this.leaseRef(leaseId, 'layer', l.id);
      return l;
    });
  }

  deleteLayerRow(id: string): void {
    this.db.prepare('DELETE FROM layers WHERE id = ?').run(id);
  }

  /** True when no image, container, child layer, build cache entry or live lease points at the layer. */
  layerUnreferenced(id: string): boolean {
    return !this.db
      .prepare(
        `SELECT 1 WHERE EXISTS (SELECT 1 FROM image_layers WHERE layer_id = @ref)
           OR EXISTS (SELECT 1 FROM containers WHERE layer_id = @ref)
           OR EXISTS (SELECT 1 FROM layers WHERE parent = @ref)
           OR EXISTS (SELECT 1 FROM build_cache WHERE top_layer = @ref)
           OR EXISTS (SELECT 1 FROM lease_refs WHERE kind = 'layer' AND ref = @ref)`,
      )
      .get({ ref: id });
  }

  /** How many images use each layer (a layer shared by n images is stored once). */
  layerImageCounts(): Map<string, number> {
    const rows = this.db
      .prepare('SELECT layer_id, COUNT(DISTINCT image_id) AS n FROM image_layers GROUP BY layer_id')
      .all() as { layer_id: string; n: number }[];
    return new Map(rows.map((r) => [r.layer_id, r.n]));
  }

  // ---- images

  private loadImage(r: ImageRow): ImageRecord {
    const names = (this.db.prepare('SELECT name FROM image_names WHERE image_id = ? ORDER BY name').all(r.id) as {
      name: string;
    }[]).map((x) => x.name);
    const digests = this.db
      .prepare('SELECT repo, digest FROM image_digests WHERE image_id = ? ORDER BY repo')
      .all(r.id) as { repo: string; digest: string }[];
    return this.imageFromRow(r, names, digests);
  }

  private imageFromRow(r: ImageRow, names: string[], digests: { repo: string; digest: string }[]): ImageRecord {
    return {
      id: r.id,
      topLayer: r.top_layer,
      manifestDigest: r.manifest_digest,
      manifestMediaType: r.manifest_media_type,
      created: r.created,
      added: r.added,
      size: r.size,
      names,
      digests,
      parent: r.parent ?? null,
    };
  }

  image(id: string): ImageRecord | undefined {
    const r = this.db.prepare('SELECT * FROM images WHERE id = ?').get(id) as ImageRow | undefined;
    return r && this.loadImage(r);
  }

  imageIdsByPrefix(hexPrefix: string): string[] {
    return (this.db
      .prepare("SELECT id FROM images WHERE id >= ? AND id < ? ORDER BY id")
      .all(`sha256:${hexPrefix}`, `sha256:${hexPrefix}\uffff`) as { id: string }[]).map((r) => r.id);
  }

  imageIdByName(name: string): string | undefined {
    return (this.db.prepare('SELECT image_id FROM image_names WHERE name = ?').get(name) as
      | { image_id: string }
      | undefined)?.image_id;
  }

  imageIdByDigest(repo: string, digest: string): string | undefined {
    return (this.db.prepare('SELECT image_id FROM image_digests WHERE repo = ? AND digest = ?').get(repo, digest) as
      | { image_id: string }
      | undefined)?.image_id;
  }

  /** Images whose manifest or config digest is `digest` (pull/load by digest without a repo). */
  imageIdsByAnyDigest(digest: string): string[] {
    return (this.db
      .prepare('SELECT id FROM images WHERE id = @ref OR manifest_digest = @ref')
      .all({ ref: digest }) as { id: string }[]).map((r) => r.id);
  }

  /** Every image; names and digests in one query each rather than two per image (a list of 500 made 1,000). */
  images(): ImageRecord[] {
    const rows = this.db.prepare('SELECT * FROM images ORDER BY created DESC, id').all() as ImageRow[];
    const names = new Map<string, string[]>();
    for (const n of this.db.prepare('SELECT image_id, name FROM image_names ORDER BY name').all() as { image_id: string; name: string }[]) {
      const list = names.get(n.image_id);
      if (list) list.push(n.name);
      else names.set(n.image_id, [n.name]);
    }
    const digests = new Map<string, { repo: string; digest: string }[]>();
    const digestRows = this.db.prepare('SELECT image_id, repo, digest FROM image_digests ORDER BY repo').all() as {
      image_id: string;
      repo: string;
      digest: string;
    }[];
    for (const d of digestRows) {
      const list = digests.get(d.image_id);
      const entry = { repo: d.repo, digest: d.digest };
      if (list) list.push(entry);
      else digests.set(d.image_id, [entry]);
    }
    return rows.map((r) => this.imageFromRow(r, names.get(r.id) ?? [], digests.get(r.id) ?? []));
  }

  /** Layer ids of every image, bottom first, by image id. */
  allImageLayerIds(): Map<string, string[]> {
    const out = new Map<string, string[]>();
    const rows = this.db.prepare('SELECT image_id, layer_id FROM image_layers ORDER BY image_id, position').all() as {
      image_id: string;
      layer_id: string;
    }[];
    for (const r of rows) {
      const list = out.get(r.image_id);
      if (list) list.push(r.layer_id);
      else out.set(r.image_id, [r.layer_id]);
    }
    return out;
  }

  /** disk_size of every layer, by id. */
  layerDiskSizes(): Map<string, number> {
    const rows = this.db.prepare('SELECT id, disk_size FROM layers').all() as { id: string; disk_size: number }[];
    return new Map(rows.map((r) => [r.id, r.disk_size]));
  }

  /** How many containers use each image, by image id (images no container uses are absent). */
  containerCountsByImage(): Map<string, number> {
    const rows = this.db
      .prepare('SELECT image_id, COUNT(*) AS n FROM containers WHERE image_id IS NOT NULL GROUP BY image_id')
      .all() as { image_id: string; n: number }[];
    return new Map(rows.map((r) => [r.image_id, r.n]));
  }

  /** Images whose recorded parent is `imageId`. */
  imageChildren(imageId: string): string[] {
    return (this.db.prepare('SELECT id FROM images WHERE parent = ?').all(imageId) as { id: string }[]).map((r) => r.id);
  }

  imageLayerIds(imageId: string): string[] {
    return (this.db
      .prepare('SELECT layer_id FROM image_layers WHERE image_id = ? ORDER BY position')
      .all(imageId) as { layer_id: string }[]).map((r) => r.layer_id);
  }

  /**
   * Inserts (or refreshes) an image and moves its names onto it, in one transaction, after
   * checking that every layer and blob it points at still exists. Returns the names that
   * other images lost.
   */
  putImage(img: NewImage, exists: { layer: (id: string) => boolean; blob: (d: string) => boolean }): void {
    writeTx(this.db, () => {
      for (const id of img.layerIds) {
        const l = this.layer(id);
        if (!l || !l.complete || !exists.layer(id)) throw new MissingReference(`layer ${id}`);
      }
      for (const d of img.blobs) if (!exists.blob(d)) throw new MissingReference(`blob ${d}`);
      const had = this.db.prepare('SELECT 1 FROM images WHERE id = ?').get(img.id);
      if (!had) {
        this.db
          .prepare(
            `INSERT INTO images (id, top_layer, manifest_digest, manifest_media_type, created, added, size, parent)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
          )
          .run(img.id, img.topLayer, img.manifestDigest, img.manifestMediaType, img.created, Date.now(), img.size, img.parent ?? null);
        const addLayer = this.db.prepare('INSERT INTO image_layers (image_id, position, layer_id) VALUES (?, ?, ?)');
        img.layerIds.forEach((l, i) => addLayer.run(img.id, i, l));
      }
      const addBlob = this.db.prepare('INSERT OR IGNORE INTO image_blobs (image_id, digest) VALUES (?, ?)');
      for (const d of img.blobs) addBlob.run(img.id, d);
      for (const n of img.names) this.setName(n, img.id);
      const addDigest = this.db.prepare(
        'INSERT OR REPLACE INTO image_digests (repo, digest, image_id) VALUES (?, ?, ?)',
      );
      for (const d of img.digests) addDigest.run(d.repo, d.digest, img.id);
    });
  }

  setName(name: string, imageId: string): void {
    this.db.prepare('INSERT OR REPLACE INTO image_names (name, image_id) VALUES (?, ?)').run(name, imageId);
  }

  removeName(name: string): boolean {
    return this.db.prepare('DELETE FROM image_names WHERE name = ?').run(name).changes > 0;
  }

  deleteImageRow(id: string): void {
    this.db.prepare('DELETE FROM images WHERE id = ?').run(id);
  }

  containersUsingImage(imageId: string): { id: string; name: string }[] {
    return this.db.prepare('SELECT id, name FROM containers WHERE image_id = ?').all(imageId) as {
      id: string;
      name: string;
    }[];
  }

  blobReferenced(digest: string): boolean {
    return !!this.db
      .prepare(
        `SELECT 1 WHERE EXISTS (SELECT 1 FROM image_blobs WHERE digest = @ref)
           OR EXISTS (SELECT 1 FROM build_cache_blobs WHERE digest = @ref)
           OR EXISTS (SELECT 1 FROM lease_refs WHERE kind = 'blob' AND ref = @ref)`,
      )
      .get({ ref: digest });
  }

  imageBlobs(imageId: string): string[] {
    return (this.db.prepare('SELECT digest FROM image_blobs WHERE image_id = ?').all(imageId) as { digest: string }[]).map(
      (r) => r.digest,
    );
  }
}

/** A row or file an image would point at is gone (a concurrent removal won): the writer retries. */
export class MissingReference extends Error {
  constructor(what: string) {
    super(`${what} disappeared during the write`);
    this.name = 'MissingReference';
  }
}
