/**
 * @module quadlet/resources
 * The oneshot units that make what containers use: `x.volume` → `x-volume.service`
 * (`volume create --ignore`), `x.network` → `x-network.service` (`network create --ignore`),
 * `x.image` → `x-image.service` (`pull`), `x.build` → `x-build.service` (`build --tag`).
 * Each stays active after its command (RemainAfterExit), so dependents' Requires= hold.
 */
import type { UnitFile } from '../unit-file.js';
import {
  absolutePath, dirOf, fail, lookupBool, serviceName, serviceSkeleton, skiffCmd, checkKeys,
  type QuadletContext, type QuadletSource,
} from './common.js';

function oneshot(service: UnitFile, unit: UnitFile, remain = true): void {
  if (!unit.get('Service', 'SyslogIdentifier')) service.add('Service', 'SyslogIdentifier', '%N');
  if (!unit.get('Service', 'Type')) service.add('Service', 'Type', 'oneshot');
  if (remain && !unit.get('Service', 'RemainAfterExit')) service.add('Service', 'RemainAfterExit', 'yes');
}

export function volumeNames(source: QuadletSource, unit: UnitFile): { service: string; resource: string } {
  return { service: serviceName(source, unit, 'Volume', '-volume'), resource: unit.get('Volume', 'VolumeName') || `systemd-${source.name.replace(/\.volume$/, '')}` };
}

export function convertVolume(ctx: QuadletContext, source: QuadletSource, unit: UnitFile): UnitFile {
  const G = 'Volume';
  // skiff's local volumes take no mount options yet: Device/Type/Options/User/Group/Copy wait for them.
  checkKeys(source, unit, G, ['Driver', 'GlobalArgs', 'Label', 'PodmanArgs', 'ServiceName', 'VolumeName'], ['ContainersConfModule', 'Copy', 'Device', 'Group', 'Image', 'Options', 'Type', 'User']);
  const service = serviceSkeleton(ctx, source, unit, G);
  const cmd = skiffCmd(ctx, unit, G).add('volume', 'create', '--ignore');
  const driver = unit.get(G, 'Driver');
  if (driver && driver !== 'local') fail(source, `volume driver '${driver}' is not supported by skiff (only local)`);
  if (driver) cmd.add('--driver', driver);
  cmd.addKeyVals(unit, G, { Label: '--label' }).addWords(unit, G, 'PodmanArgs');
  cmd.add(volumeNames(source, unit).resource);
  service.add('Service', 'ExecStart', cmd.line());
  oneshot(service, unit);
  return service;
}

export function networkNames(source: QuadletSource, unit: UnitFile): { service: string; resource: string } {
  return { service: serviceName(source, unit, 'Network', '-network'), resource: unit.get('Network', 'NetworkName') || `systemd-${source.name.replace(/\.network$/, '')}` };
}

export function convertNetwork(ctx: QuadletContext, source: QuadletSource, unit: UnitFile): UnitFile {
  const G = 'Network';
  checkKeys(
    source, unit, G,
    ['DisableDNS', 'Driver', 'Gateway', 'GlobalArgs', 'IPRange', 'InterfaceName', 'Internal', 'Label', 'NetworkDeleteOnStop', 'NetworkName', 'Options', 'PodmanArgs', 'ServiceName', 'Subnet'],
    ['ContainersConfModule', 'DNS', 'IPAMDriver', 'IPv6'],
  );
  const service = serviceSkeleton(ctx, source, unit, G);
  const name = networkNames(source, unit).resource;
  if (lookupBool(unit, G, 'NetworkDeleteOnStop')) service.add('Service', 'ExecStopPost', skiffCmd(ctx, unit, G).add('network', 'rm', name).line());
  const cmd = skiffCmd(ctx, unit, G).add('network', 'create', '--ignore');
  cmd.addBools(unit, G, { DisableDNS: '--disable-dns', Internal: '--internal' });
  cmd.addLast(unit, G, { Driver: '--driver', InterfaceName: '--interface-name' });
  const subnets = unit.all(G, 'Subnet');
  const gateways = unit.all(G, 'Gateway');
  const ranges = unit.all(G, 'IPRange');
  if (subnets.length > 1) fail(source, 'skiff networks have one subnet');
  if (!subnets.length && (gateways.length || ranges.length)) fail(source, 'cannot set gateway or range without subnet');
  if (gateways.length > subnets.length || ranges.length > subnets.length) fail(source, 'cannot set more gateways or ranges than subnets');
  if (subnets[0]) cmd.add('--subnet', subnets[0]);
  if (gateways[0]) cmd.add('--gateway', gateways[0]);
  if (ranges[0]) cmd.add('--ip-range', ranges[0]);
  cmd.addKeyVals(unit, G, { Options: '--opt', Label: '--label' }).addWords(unit, G, 'PodmanArgs');
  cmd.add(name);
  service.add('Service', 'ExecStart', cmd.line());
  oneshot(service, unit);
  return service;
}

export function imageNames(source: QuadletSource, unit: UnitFile): { service: string; resource: string } {
  return { service: serviceName(source, unit, 'Image', '-image'), resource: unit.get('Image', 'ImageTag') || unit.get('Image', 'Image') || '' };
}

export function convertImage(ctx: QuadletContext, source: QuadletSource, unit: UnitFile): UnitFile {
  const G = 'Image';
  checkKeys(
    source, unit, G,
    ['Arch', 'AuthFile', 'CertDir', 'GlobalArgs', 'Image', 'ImageTag', 'OS', 'PodmanArgs', 'ServiceName', 'TLSVerify', 'Variant'],
    ['AllTags', 'ContainersConfModule', 'Creds', 'DecryptionKey', 'Retry', 'RetryDelay'],
  );
  const image = unit.get(G, 'Image');
  if (!image) fail(source, 'no Image key specified');
  const service = serviceSkeleton(ctx, source, unit, G);
  const cmd = skiffCmd(ctx, unit, G).add('pull');
  cmd.addLast(unit, G, { AuthFile: '--authfile', CertDir: '--cert-dir' });
  const tls = lookupBool(unit, G, 'TLSVerify');
  if (tls !== undefined) cmd.add(`--tls-verify=${tls}`);
  const platform = platformOf(unit, G);
  if (platform) cmd.add('--platform', platform);
  cmd.addWords(unit, G, 'PodmanArgs').add(image);
  service.add('Service', 'ExecStart', cmd.line());
  oneshot(service, unit);
  return service;
}

function platformOf(unit: UnitFile, G: string): string | undefined {
  const arch = unit.get(G, 'Arch');
  const os = unit.get(G, 'OS');
  const variant = unit.get(G, 'Variant');
  if (!arch && !os && !variant) return undefined;
  return [os || 'linux', arch || 'amd64', ...(variant ? [variant] : [])].join('/');
}

export function buildNames(source: QuadletSource, unit: UnitFile): { service: string; resource: string } {
  return { service: serviceName(source, unit, 'Build', '-build'), resource: unit.all('Build', 'ImageTag')[0] ?? '' };
}

export function convertBuild(ctx: QuadletContext, source: QuadletSource, unit: UnitFile): UnitFile {
  const G = 'Build';
  checkKeys(
    source, unit, G,
    ['File', 'GlobalArgs', 'ImageTag', 'Label', 'Network', 'PodmanArgs', 'Pull', 'Secret', 'ServiceName', 'SetWorkingDirectory', 'Target'],
    ['Annotation', 'Arch', 'AuthFile', 'ContainersConfModule', 'DNS', 'DNSOption', 'DNSSearch', 'Environment', 'ForceRM', 'GroupAdd', 'Retry', 'RetryDelay', 'TLSVerify', 'Variant', 'Volume'],
  );
  const tags = unit.all(G, 'ImageTag');
  if (!tags.length) fail(source, 'no ImageTag key specified');
  const service = serviceSkeleton(ctx, source, unit, G);
  const cmd = skiffCmd(ctx, unit, G).add('build');
  for (const t of tags) cmd.add('--tag', t);
  const file = unit.get(G, 'File');
  const fileAbs = file && !/^[a-z]+:\/\//.test(file) ? absolutePath(source, file) : file;
  if (fileAbs) cmd.add('--file', fileAbs);
  cmd.addKeyVals(unit, G, { Label: '--label' }).addAll(unit, G, { Secret: '--secret' });
  cmd.addLast(unit, G, { Network: '--network', Pull: '--pull', Target: '--target' });
  cmd.addWords(unit, G, 'PodmanArgs');
  // The context: SetWorkingDirectory=unit (the Quadlet file's dir), =file (File's dir), or a path.
  const wd = unit.get(G, 'SetWorkingDirectory') ?? unit.get('Service', 'WorkingDirectory');
  let context: string | undefined;
  if (wd === 'unit') context = dirOf(source.path);
  else if (wd === 'file') {
    if (!fileAbs || !fileAbs.startsWith('/')) fail(source, 'SetWorkingDirectory=file needs a File key with a local path');
    context = dirOf(fileAbs);
  } else if (wd) context = absolutePath(source, wd);
  if (!context) fail(source, 'neither SetWorkingDirectory nor a WorkingDirectory is set: the build has no context');
  if (unit.get(G, 'SetWorkingDirectory') !== undefined) service.add('Service', 'WorkingDirectory', context);
  cmd.add(context);
  service.add('Service', 'ExecStart', cmd.line());
  // A build takes as long as it takes (systemd's default would kill it after 90 s).
  if (!unit.get('Service', 'TimeoutStartSec')) service.add('Service', 'TimeoutStartSec', 'infinity');
  oneshot(service, unit);
  return service;
}
