/**
 * @module config/user-paths
 * Where a user who is not root keeps skiff's files, in the places Podman keeps its own for
 * rootless use: storage under the XDG data home, run state under the XDG runtime dir (or a
 * per-uid directory in /tmp where no login session made one), config under the XDG config home.
 */
import { join } from 'node:path';

export interface UserPaths {
  /** Storage root: $XDG_DATA_HOME/skiff, default ~/.local/share/skiff. */
  root: string;
  /** Run root: $XDG_RUNTIME_DIR/skiff, else /tmp/skiff-$UID. */
  runroot: string;
  /** The user's skiff.conf, read over /etc/skiff/skiff.conf. */
  configFile: string;
  /** Registry credentials: $XDG_RUNTIME_DIR/containers/auth.json (/tmp/skiff-$UID/containers/ without one). */
  authFile: string;
  /** The API service's default socket. */
  socket: string;
  /** The pid file of the process that keeps the user namespace alive. */
  pauseFile: string;
}

export function userPaths(uid: number, home: string, env: NodeJS.ProcessEnv): UserPaths {
  const dataHome = abs(env.XDG_DATA_HOME) ?? join(home, '.local', 'share');
  const configHome = abs(env.XDG_CONFIG_HOME) ?? join(home, '.config');
  const xdgRuntime = abs(env.XDG_RUNTIME_DIR);
  const runroot = xdgRuntime ? join(xdgRuntime, 'skiff') : `/tmp/skiff-${uid}`;
  return {
    root: join(dataHome, 'skiff'),
    runroot,
    configFile: join(configHome, 'skiff', 'skiff.conf'),
    authFile: join(xdgRuntime ?? runroot, 'containers', 'auth.json'),
    socket: join(runroot, 'skiff.sock'),
    pauseFile: join(runroot, 'pause.pid'),
  };
}

// The XDG spec: a relative value is invalid and is ignored.
function abs(v: string | undefined): string | undefined {
  return v && v.startsWith('/') ? v : undefined;
}
