/** Where `skiff system service` listens without a URI (Podman's rootful /run/podman/podman.sock, for skiff). */
export const DEFAULT_URI = 'unix:///run/skiff/skiff.sock';
