/**
 * @module devices
 * `--device` and `--privileged` device access: each device is both created in the container's
 * /dev (linux.devices) and allowed in the device cgroup (linux.resources.devices), which
 * otherwise denies everything but runc's own defaults.
 */
import { invalidArgument, notFound } from '../errdefs.js';
import type { DeviceRequest } from './create-options.js';
import type { HostDevice } from './host-facts.js';
import type { Device, DeviceCgroup } from './spec-types.js';

const PERMS = /^[rwm]{1,3}$/;

/** `/dev/fuse`, `/dev/fuse:/dev/fuse`, `/dev/fuse:rwm`, `/dev/sda:/dev/xvda:r`. */
export function parseDeviceFlag(s: string): DeviceRequest {
  const parts = s.split(':');
  const hostPath = parts[0] ?? '';
  let containerPath = hostPath;
  let permissions = 'rwm';
  if (parts.length === 2) {
    if (PERMS.test(parts[1]!)) permissions = parts[1]!;
    else containerPath = parts[1]!;
  } else if (parts.length === 3) {
    containerPath = parts[1]!;
    permissions = parts[2]!;
  } else if (parts.length > 3) {
    throw invalidArgument(`invalid device ${JSON.stringify(s)}`);
  }
  if (!hostPath.startsWith('/') || !containerPath.startsWith('/')) {
    throw invalidArgument(`invalid device ${JSON.stringify(s)}: paths must be absolute`);
  }
  if (!PERMS.test(permissions) || new Set(permissions).size !== permissions.length) {
    throw invalidArgument(`invalid device ${JSON.stringify(s)}: permissions must be a combination of r, w, m`);
  }
  return { hostPath, containerPath, permissions };
}

export interface DeviceAccess {
  devices: Device[];
  cgroup: DeviceCgroup[];
}

function toDevice(d: HostDevice, path: string): Device {
  return { path, type: d.type, major: d.major, minor: d.minor, fileMode: d.fileMode, uid: d.uid, gid: d.gid };
}

/** Deny-all first, as Podman writes it; runc appends the rules for its default devices. */
export function deviceAccess(requests: DeviceRequest[], host: HostDevice[], privileged: boolean, mountedOver: string[]): DeviceAccess {
  const devices: Device[] = [];
  const cgroup: DeviceCgroup[] = [{ allow: privileged, access: 'rwm' }];
  if (privileged) {
    // Skip devices hidden under a user mount (e.g. -v /dev/snd:/dev/snd): creating them there fails.
    const under = (p: string) => mountedOver.some((m) => p === m || p.startsWith(m + '/'));
    for (const d of host) if (!under(d.path)) devices.push(toDevice(d, d.path));
  }
  for (const r of requests) {
    const d = host.find((h) => h.path === r.hostPath);
    if (!d) throw notFound(`${r.hostPath}: no such device on the host`);
    const existing = devices.findIndex((x) => x.path === r.containerPath);
    if (existing >= 0) devices.splice(existing, 1);
    devices.push(toDevice(d, r.containerPath));
    if (!privileged) cgroup.push({ allow: true, type: d.type, major: d.major, minor: d.minor, access: r.permissions });
  }
  return { devices, cgroup };
}
