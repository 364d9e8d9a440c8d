import { rootlessPaths } from '../engine/config/load.js';

/** Where `skiff system service` listens without a URI (Podman's rootful /run/podman/podman.sock, for skiff). */
export const DEFAULT_URI = 'unix:///run/skiff/skiff.sock';

/** The default for this process: root's, or a user's `$XDG_RUNTIME_DIR/skiff/skiff.sock` (Podman's rootless place). */
export function defaultUri(): string {
  const paths = rootlessPaths();
  return paths ? `unix://${paths.socket}` : DEFAULT_URI;
}
