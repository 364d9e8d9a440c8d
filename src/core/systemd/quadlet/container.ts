/**
 * @module quadlet/container
 * `x.container` → `x.service`: `skiff run --name systemd-x --replace --rm --sdnotify=conmon -d
 * … IMAGE EXEC…`, Type=notify, removed on stop (Podman's ConvertContainer, less its cgroup
 * modes: skiff leaves conmon in the unit's cgroup, where systemd tracks it).
 */
import type { UnitFile } from '../unit-file.js';
import { splitWords } from '../unit-file.js';
import {
  absolutePath, dependOn, fail, imageRef, lookupBool, serviceName, serviceSkeleton, skiffCmd, checkKeys,
  type QuadletContext, type QuadletSource,
} from './common.js';

const G = 'Container';

const SUPPORTED = [
  'AddCapability', 'AddDevice', 'AddHost', 'AutoUpdate', 'ContainerName', 'DNS', 'DNSOption', 'DNSSearch', 'DropCapability',
  'Entrypoint', 'Environment', 'EnvironmentFile', 'Exec', 'GIDMap', 'GlobalArgs', 'Group', 'GroupAdd', 'HealthCmd',
  'HealthInterval', 'HealthOnFailure', 'HealthRetries', 'HealthStartPeriod', 'HealthTimeout', 'HostName', 'IP', 'Image',
  'Label', 'LogDriver', 'LogOpt', 'Memory', 'Mount', 'Network', 'NetworkAlias', 'NoNewPrivileges', 'Notify', 'PidsLimit',
  'Pod', 'PodmanArgs', 'PublishPort', 'Pull', 'ReadOnly', 'RunInit', 'SeccompProfile', 'SecurityLabelDisable', 'ServiceName',
  'ShmSize', 'StopSignal', 'StopTimeout', 'Sysctl', 'Tmpfs', 'UIDMap', 'Ulimit', 'User', 'UserNS', 'Volume', 'WorkingDir',
];

/** Podman's other [Container] keys: options skiff's run does not have yet. */
const PODMAN_ONLY = [
  'Annotation', 'CgroupsMode', 'ContainersConfModule', 'EnvironmentHost', 'ExposeHostPort', 'HealthLogDestination',
  'HealthMaxLogCount', 'HealthMaxLogSize', 'HealthStartupCmd', 'HealthStartupInterval', 'HealthStartupRetries',
  'HealthStartupSuccess', 'HealthStartupTimeout', 'IP6', 'Mask', 'ReadOnlyTmpfs', 'ReloadCmd', 'ReloadSignal', 'RemapGid',
  'RemapUid', 'RemapUidSize', 'RemapUsers', 'Retry', 'RetryDelay', 'Rootfs', 'Secret', 'SecurityLabelFileType',
  'SecurityLabelLevel', 'SecurityLabelNested', 'SecurityLabelType', 'StartWithPod', 'SubGIDMap', 'SubUIDMap', 'Timezone',
  'Unmask', 'VolatileTmp',
];

export function containerNames(source: QuadletSource, unit: UnitFile): { service: string; resource: string } {
  const service = serviceName(source, unit, G, '');
  const name = unit.get(G, 'ContainerName') || 'systemd-%N';
  return { service, resource: name.replace(/%N/g, service.replace(/\.service$/, '')) };
}

export function convertContainer(ctx: QuadletContext, source: QuadletSource, unit: UnitFile): UnitFile {
  checkKeys(source, unit, G, SUPPORTED, PODMAN_ONLY);
  const image = unit.get(G, 'Image');
  if (!image) fail(source, "no Image key specified");
  const service = serviceSkeleton(ctx, source, unit, G);
  const name = unit.get(G, 'ContainerName') || 'systemd-%N';
  const type = unit.get('Service', 'Type');
  if (type && type !== 'notify' && type !== 'oneshot') fail(source, `invalid service Type '${type}'`);
  const killMode = unit.get('Service', 'KillMode');
  if (killMode && killMode !== 'mixed' && killMode !== 'control-group') fail(source, `invalid KillMode '${killMode}'`);

  service.add('Service', 'Environment', 'SKIFF_SYSTEMD_UNIT=%n');
  if (!killMode) service.add('Service', 'KillMode', 'mixed');
  // conmon may have died without removing it: -f, and -i for when it is gone already.
  service.add('Service', 'ExecStop', skiffCmd(ctx, unit, G).add('rm', '-v', '-f', '-i', name).line());
  service.add('Service', 'ExecStopPost', `-${skiffCmd(ctx, unit, G).add('rm', '-v', '-f', '-i', name).line()}`);

  const run = skiffCmd(ctx, unit, G).add('run', '--name', name, '--replace', '--rm');
  run.addLast(unit, G, { LogDriver: '--log-driver' }).addAll(unit, G, { LogOpt: '--log-opt' });
  run.addLast(unit, G, {
    PidsLimit: '--pids-limit', ShmSize: '--shm-size', Entrypoint: '--entrypoint', WorkingDir: '--workdir', IP: '--ip',
    HostName: '--hostname', StopSignal: '--stop-signal', StopTimeout: '--stop-timeout', Pull: '--pull', Memory: '--memory',
    HealthCmd: '--health-cmd', HealthInterval: '--health-interval', HealthOnFailure: '--health-on-failure',
    HealthRetries: '--health-retries', HealthStartPeriod: '--health-start-period', HealthTimeout: '--health-timeout',
  });
  run.addAll(unit, G, {
    NetworkAlias: '--network-alias', Ulimit: '--ulimit', DNS: '--dns', DNSOption: '--dns-option', DNSSearch: '--dns-search',
    GroupAdd: '--group-add', AddHost: '--add-host', Tmpfs: '--tmpfs',
  });
  run.addBools(unit, G, { RunInit: '--init' });
  for (const n of unit.all(G, 'Network')) run.add('--network', networkArg(ctx, source, service, n));
  if (type !== 'oneshot') {
    const notify = unit.get(G, 'Notify');
    if (notify && /^healthy$/i.test(notify)) fail(source, 'Notify=healthy is not supported yet');
    run.add(lookupBool(unit, G, 'Notify') ? '--sdnotify=container' : '--sdnotify=conmon');
    if (!type) service.add('Service', 'Type', 'notify');
    service.add('Service', 'NotifyAccess', 'all');
    run.add('-d');
  }
  if (!unit.get('Service', 'SyslogIdentifier')) service.add('Service', 'SyslogIdentifier', '%N');
  if (lookupBool(unit, G, 'NoNewPrivileges')) run.add('--security-opt=no-new-privileges');
  if (lookupBool(unit, G, 'SecurityLabelDisable')) run.add('--security-opt', 'label=disable');
  for (const d of unit.all(G, 'AddDevice')) run.add('--device', d.replace(/^-/, ''));
  const seccomp = unit.get(G, 'SeccompProfile');
  if (seccomp) run.add('--security-opt', `seccomp=${seccomp}`);
  for (const c of unit.all(G, 'DropCapability').flatMap(splitWords)) run.add('--cap-drop', c.toLowerCase());
  for (const c of unit.all(G, 'AddCapability').flatMap(splitWords)) run.add('--cap-add', c.toLowerCase());
  for (const s of unit.all(G, 'Sysctl').flatMap(splitWords)) run.add('--sysctl', s);
  if (lookupBool(unit, G, 'ReadOnly')) run.add('--read-only');
  userFlags(source, unit, run);
  for (const v of unit.all(G, 'Volume')) run.add('-v', volumeArg(ctx, source, service, v));
  const autoUpdate = unit.get(G, 'AutoUpdate');
  if (autoUpdate) run.add('--label', `io.containers.autoupdate=${autoUpdate}`);
  for (const p of unit.all(G, 'PublishPort')) run.add('--publish', p.trim());
  run.addKeyVals(unit, G, { Environment: '--env', Label: '--label' });
  for (const f of unit.all(G, 'EnvironmentFile').flatMap(splitWords)) run.add('--env-file', absolutePath(source, f));
  for (const m of unit.all(G, 'Mount')) run.add('--mount', mountArg(ctx, source, service, m));
  const pod = unit.get(G, 'Pod');
  if (pod) {
    if (!pod.endsWith('.pod')) fail(source, `pod ${pod} is not Quadlet based`);
    dependOn(ctx, source, service, pod, 'pod', 'BindsTo');
    run.add(`--pod-id-file=%t/${ctx.units.get(pod)!.serviceName.replace(/\.service$/, '')}.pod-id`);
  }
  run.addWords(unit, G, 'PodmanArgs');
  run.add(imageRef(ctx, source, service, image));
  const exec = unit.get(G, 'Exec');
  if (exec) run.add(...splitWords(exec));
  service.add('Service', 'ExecStart', run.line());
  return service;
}

function userFlags(source: QuadletSource, unit: UnitFile, run: { add(...a: string[]): unknown }): void {
  const user = unit.get(G, 'User');
  const group = unit.get(G, 'Group');
  if (group && !user) fail(source, 'Group set without User');
  if (user) run.add('--user', group ? `${user}:${group}` : user);
  const userns = unit.get(G, 'UserNS');
  if (userns) run.add('--userns', userns);
  for (const m of unit.all(G, 'UIDMap')) run.add('--uidmap', m);
  for (const m of unit.all(G, 'GIDMap')) run.add('--gidmap', m);
}

/** `db.network` (→ its network, the unit waits for it), or host/none/a name, options kept. */
function networkArg(ctx: QuadletContext, source: QuadletSource, service: UnitFile, n: string): string {
  const i = n.indexOf(':');
  const [name, opts] = i < 0 ? [n, ''] : [n.slice(0, i), n.slice(i)];
  if (name.endsWith('.network')) return dependOn(ctx, source, service, name, 'network') + opts;
  if (name.endsWith('.container')) {
    const info = ctx.units.get(name);
    if (!info) fail(source, `requires the Quadlet file ${name}, which does not exist`);
    service.add('Unit', 'Requires', info.serviceName).add('Unit', 'After', info.serviceName);
    return `container:${info.resourceName}`;
  }
  return n;
}

/** `SOURCE:DEST[:OPTS]`: `x.volume` is its volume; `./dir` is relative to the Quadlet file. */
function volumeArg(ctx: QuadletContext, source: QuadletSource, service: UnitFile, v: string): string {
  const parts = v.split(':');
  if (parts.length < 2) return v;
  let src = parts[0]!;
  if (src.endsWith('.volume')) src = dependOn(ctx, source, service, src, 'volume');
  else if (src.startsWith('.')) src = absolutePath(source, src);
  if (src.startsWith('/')) service.add('Unit', 'RequiresMountsFor', src);
  return [src, ...parts.slice(1)].join(':');
}

/** `--mount type=volume,source=x.volume,…`: the same resolution for its source. */
function mountArg(ctx: QuadletContext, source: QuadletSource, service: UnitFile, m: string): string {
  return m
    .split(',')
    .map((field) => {
      const [k, val] = [field.slice(0, field.indexOf('=')), field.slice(field.indexOf('=') + 1)];
      if (!/^(source|src)$/.test(k) || !field.includes('=')) return field;
      if (val.endsWith('.volume')) return `${k}=${dependOn(ctx, source, service, val, 'volume')}`;
      return val.startsWith('.') ? `${k}=${absolutePath(source, val)}` : field;
    })
    .join(',');
}
