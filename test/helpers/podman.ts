// Podman as an interop/bench peer on this host: its own root, run root and tmpdir, runc (crun
// refuses cgroup v1 hybrid here), cgroupfs, no events, and ulimits within the host's hard limits
// (the runtime brief in the project's shared reference material, §10).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface PodmanPeer {
  /** global flags to put before podman's verb */
  args: string[];
  /** the environment to run it with (CONTAINERS_CONF) */
  env: NodeJS.ProcessEnv;
}

export function podmanPeer(dir: string, opts: { baseEnv?: NodeJS.ProcessEnv; storageDriver?: 'overlay' | 'vfs' } = {}): PodmanPeer {
  mkdirSync(join(dir, 'p-root'), { recursive: true });
  const conf = join(dir, 'containers.conf');
  writeFileSync(conf, '[containers]\ndefault_ulimits = ["nofile=1024:1024", "nproc=4096:4096"]\n');
  const args = ['--root', join(dir, 'p-root'), '--runroot', join(dir, 'p-run'), '--runtime', 'runc', '--cgroup-manager', 'cgroupfs', '--events-backend', 'none'];
  // Its own tmpdir (alive file, locks): other podman users on this host may reset /run/libpod.
  args.push('--tmpdir', join(dir, 'p-tmp'));
  if (opts.storageDriver) args.push('--storage-driver', opts.storageDriver);
  return { args, env: { ...(opts.baseEnv ?? process.env), CONTAINERS_CONF: conf } };
}
