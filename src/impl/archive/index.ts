/**
 * @module archive
 * Image archives: docker-archive (`docker save` / `podman save`), oci-archive and OCI
 * layout directories, read into and written from the ContentStore as streams.
 */
export type { ArchiveImage, ArchiveLayer, LoadedImage } from './types.js';
export { readImageArchive } from './read.js';
export { DockerArchiveWriter, writeDockerArchive, type DockerArchiveOptions } from './docker-write.js';
export { OciArchiveWriter, writeOciArchive } from './oci-write.js';
export { OciLayoutDirWriter, readOciLayoutDir, writeOciLayoutDir } from './oci-dir.js';
export type { OciLoadOptions } from './oci-read.js';
