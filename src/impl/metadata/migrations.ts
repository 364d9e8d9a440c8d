/**
 * Schema versions, applied in order inside one transaction each; `PRAGMA user_version` holds
 * the number applied. Never edit a released step: add a new one.
 */
export const MIGRATIONS: string[] = [
  // 1: images, layers, leases, containers (the containers table grows in later steps)
  `
  CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);

  CREATE TABLE layers (
    id TEXT PRIMARY KEY,
    parent TEXT REFERENCES layers(id),
    chain_id TEXT UNIQUE,
    diff_id TEXT,
    blob_digest TEXT,
    blob_media_type TEXT,
    blob_size INTEGER,
    uncompressed_size INTEGER NOT NULL DEFAULT 0,
    disk_size INTEGER NOT NULL DEFAULT 0,
    complete INTEGER NOT NULL DEFAULT 0,
    created INTEGER NOT NULL
  );
  CREATE INDEX layers_parent ON layers(parent);

  CREATE TABLE images (
    id TEXT PRIMARY KEY,
    top_layer TEXT REFERENCES layers(id),
    manifest_digest TEXT NOT NULL,
    manifest_media_type TEXT NOT NULL,
    created INTEGER NOT NULL,
    added INTEGER NOT NULL,
    size INTEGER NOT NULL
  );
  CREATE TABLE image_names (
    name TEXT PRIMARY KEY,
    image_id TEXT NOT NULL REFERENCES images(id) ON DELETE CASCADE
  );
  CREATE INDEX image_names_image ON image_names(image_id);
  CREATE TABLE image_digests (
    repo TEXT NOT NULL,
    digest TEXT NOT NULL,
    image_id TEXT NOT NULL REFERENCES images(id) ON DELETE CASCADE,
    PRIMARY KEY (repo, digest)
  );
  CREATE INDEX image_digests_image ON image_digests(image_id);
  CREATE TABLE image_layers (
    image_id TEXT NOT NULL REFERENCES images(id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    layer_id TEXT NOT NULL REFERENCES layers(id),
    PRIMARY KEY (image_id, position)
  );
  CREATE INDEX image_layers_layer ON image_layers(layer_id);
  CREATE TABLE image_blobs (
    image_id TEXT NOT NULL REFERENCES images(id) ON DELETE CASCADE,
    digest TEXT NOT NULL,
    PRIMARY KEY (image_id, digest)
  );
  CREATE INDEX image_blobs_digest ON image_blobs(digest);

  CREATE TABLE leases (
    id TEXT PRIMARY KEY,
    pid INTEGER NOT NULL,
    created INTEGER NOT NULL
  );
  CREATE TABLE lease_refs (
    lease_id TEXT NOT NULL REFERENCES leases(id) ON DELETE CASCADE,
    kind TEXT NOT NULL CHECK (kind IN ('blob', 'layer')),
    ref TEXT NOT NULL,
    PRIMARY KEY (lease_id, kind, ref)
  );
  CREATE INDEX lease_refs_ref ON lease_refs(kind, ref);

  CREATE TABLE containers (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    image_id TEXT REFERENCES images(id),
    layer_id TEXT REFERENCES layers(id),
    created INTEGER NOT NULL,
    config TEXT NOT NULL DEFAULT '{}',
    state TEXT NOT NULL DEFAULT '{}'
  );
  CREATE INDEX containers_image ON containers(image_id);
  `,
  // 2: named and anonymous volumes; which container mounts which volume, written with the container row
  `
  CREATE TABLE volumes (
    name TEXT PRIMARY KEY,
    driver TEXT NOT NULL DEFAULT 'local',
    created INTEGER NOT NULL,
    labels TEXT NOT NULL DEFAULT '{}',
    options TEXT NOT NULL DEFAULT '{}',
    anonymous INTEGER NOT NULL DEFAULT 0
  );
  CREATE TABLE container_volumes (
    container_id TEXT NOT NULL REFERENCES containers(id) ON DELETE CASCADE,
    destination TEXT NOT NULL,
    volume TEXT NOT NULL,
    PRIMARY KEY (container_id, destination)
  );
  CREATE INDEX container_volumes_volume ON container_volumes(volume);
  `,
  // 3: bridge networks and their address leases (IPAM is the engine's job, not netavark's)
  `
  CREATE TABLE networks (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    driver TEXT NOT NULL DEFAULT 'bridge',
    interface TEXT NOT NULL UNIQUE,
    subnet TEXT NOT NULL,
    gateway TEXT NOT NULL,
    ip_range TEXT,
    internal INTEGER NOT NULL DEFAULT 0,
    dns_enabled INTEGER NOT NULL DEFAULT 0,
    labels TEXT NOT NULL DEFAULT '{}',
    options TEXT NOT NULL DEFAULT '{}',
    created TEXT NOT NULL
  );
  CREATE TABLE network_leases (
    network TEXT NOT NULL REFERENCES networks(id) ON DELETE CASCADE,
    container TEXT NOT NULL REFERENCES containers(id) ON DELETE CASCADE,
    ip TEXT NOT NULL,
    mac TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (network, ip),
    UNIQUE (network, container)
  );
  CREATE INDEX network_leases_container ON network_leases(container);
  `,
  // 4: the build cache: one row per built instruction, keyed on everything the instruction saw;
  // a row keeps its top layer (and so the layers below) and the blobs of the whole chain alive
  `
  CREATE TABLE build_cache (
    key TEXT PRIMARY KEY,
    top_layer TEXT REFERENCES layers(id),
    state TEXT NOT NULL,
    created INTEGER NOT NULL,
    last_used INTEGER NOT NULL
  );
  CREATE INDEX build_cache_layer ON build_cache(top_layer);
  CREATE TABLE build_cache_blobs (
    key TEXT NOT NULL REFERENCES build_cache(key) ON DELETE CASCADE,
    digest TEXT NOT NULL,
    PRIMARY KEY (key, digest)
  );
  CREATE INDEX build_cache_blobs_digest ON build_cache_blobs(digest);
  `,
  // 5: an image's parent image (commit: the container's image), which dockerd reports as Parent
  // and `ps --filter ancestor=` follows down to descendants; no foreign key: a parent may go first
  `
  ALTER TABLE images ADD COLUMN parent TEXT;
  CREATE INDEX images_parent ON images(parent);
  `,
  // 6: dual-stack networks: a v6 subnet and gateway beside the v4 ones (enable_ipv6: dockerd
  // keeps a v6 IPAM config without handing out v6 addresses), and a lease's v6 address
  `
  ALTER TABLE networks ADD COLUMN enable_ipv6 INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE networks ADD COLUMN subnet6 TEXT;
  ALTER TABLE networks ADD COLUMN gateway6 TEXT;
  ALTER TABLE network_leases ADD COLUMN ip6 TEXT;
  CREATE UNIQUE INDEX network_leases_ip6 ON network_leases(network, ip6);
  `,
  // 7: pods (Podman's model): a pod's row names its infra container, which holds the shared
  // namespaces; members point at the pod from their own config document
  `
  CREATE TABLE IF NOT EXISTS pods (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    infra_id TEXT,
    created INTEGER NOT NULL,
    config TEXT NOT NULL
  );
  `,
];
