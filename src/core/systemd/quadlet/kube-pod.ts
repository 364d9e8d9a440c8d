/**
 * @module quadlet/kube-pod
 * `x.kube` → `x.service` (`kube play` / `kube down` of its YAML) and `x.pod` → `x-pod.service`
 * (`pod create` of an infra container, then `pod start`), written as Podman writes its own.
 * skiff has neither `kube play` nor pods yet: the units are generated (and verify), and their
 * commands fail until those verbs exist.
 */
import type { UnitFile } from '../unit-file.js';
import { splitWords } from '../unit-file.js';
import {
  absolutePath, dependOn, dirOf, fail, serviceName, serviceSkeleton, skiffCmd, checkKeys,
  type QuadletContext, type QuadletSource,
} from './common.js';

export function convertKube(ctx: QuadletContext, source: QuadletSource, unit: UnitFile): UnitFile {
  const G = 'Kube';
  checkKeys(
    source, unit, G,
    ['AutoUpdate', 'ConfigMap', 'ExitCodePropagation', 'GlobalArgs', 'KubeDownForce', 'LogDriver', 'LogOpt', 'Network', 'PodmanArgs', 'PublishPort', 'ServiceName', 'SetWorkingDirectory', 'UserNS', 'Yaml'],
    ['ContainersConfModule', 'RemapGid', 'RemapUid', 'RemapUidSize', 'RemapUsers'],
  );
  const yaml = unit.get(G, 'Yaml');
  if (!yaml) fail(source, 'no Yaml key specified');
  const yamlPath = absolutePath(source, yaml);
  const service = serviceSkeleton(ctx, source, unit, G);
  service.add('Service', 'Environment', 'SKIFF_SYSTEMD_UNIT=%n');
  if (!unit.get('Service', 'KillMode')) service.add('Service', 'KillMode', 'mixed');
  if (!unit.get('Service', 'SyslogIdentifier')) service.add('Service', 'SyslogIdentifier', '%N');
  if (!unit.get('Service', 'Type')) service.add('Service', 'Type', 'notify');
  service.add('Service', 'NotifyAccess', 'all');
  const play = skiffCmd(ctx, unit, G).add('kube', 'play', '--replace', '--service-container=true');
  play.addLast(unit, G, { LogDriver: '--log-driver', UserNS: '--userns' }).addAll(unit, G, { LogOpt: '--log-opt' });
  for (const n of unit.all(G, 'Network')) {
    play.add('--network', n.endsWith('.network') ? dependOn(ctx, source, service, n, 'network') : n);
  }
  for (const c of unit.all(G, 'ConfigMap').flatMap(splitWords)) play.add('--configmap', absolutePath(source, c));
  for (const p of unit.all(G, 'PublishPort')) play.add('--publish', p.trim());
  const exitPolicy = unit.get(G, 'ExitCodePropagation');
  if (exitPolicy) play.add(`--service-exit-code-propagation=${exitPolicy}`);
  const autoUpdate = unit.get(G, 'AutoUpdate');
  if (autoUpdate) play.add('--annotation', `io.containers.autoupdate=${autoUpdate}`);
  play.addWords(unit, G, 'PodmanArgs').add(yamlPath);
  service.add('Service', 'ExecStart', play.line());
  const down = skiffCmd(ctx, unit, G).add('kube', 'down');
  if (unit.get(G, 'KubeDownForce') && /^(1|yes|true|on)$/i.test(unit.get(G, 'KubeDownForce')!)) down.add('--force');
  service.add('Service', 'ExecStopPost', down.add(yamlPath).line());
  const wd = unit.get(G, 'SetWorkingDirectory');
  if (wd === 'yaml') service.add('Service', 'WorkingDirectory', dirOf(yamlPath));
  else if (wd === 'unit') service.add('Service', 'WorkingDirectory', dirOf(source.path));
  else if (wd) fail(source, `SetWorkingDirectory=${wd}: want yaml or unit`);
  return service;
}

export function podNames(source: QuadletSource, unit: UnitFile): { service: string; resource: string } {
  return { service: serviceName(source, unit, 'Pod', '-pod'), resource: unit.get('Pod', 'PodName') || `systemd-${source.name.replace(/\.pod$/, '')}` };
}

/** `containers`: the services of the .container files naming this pod, started with it. */
export function convertPod(ctx: QuadletContext, source: QuadletSource, unit: UnitFile, containers: string[]): UnitFile {
  const G = 'Pod';
  checkKeys(
    source, unit, G,
    ['AddHost', 'DNS', 'DNSOption', 'DNSSearch', 'GIDMap', 'GlobalArgs', 'HostName', 'IP', 'IP6', 'Label', 'Network', 'NetworkAlias', 'PodName', 'PodmanArgs', 'PublishPort', 'ServiceName', 'ShmSize', 'UIDMap', 'UserNS', 'Volume'],
    ['ContainersConfModule', 'ExitPolicy', 'StopTimeout', 'SubGIDMap', 'SubUIDMap'],
  );
  const service = serviceSkeleton(ctx, source, unit, G);
  const name = podNames(source, unit).resource;
  for (const c of containers) service.add('Unit', 'Wants', c).add('Unit', 'Before', c);
  if (!unit.get('Service', 'SyslogIdentifier')) service.add('Service', 'SyslogIdentifier', '%N');
  service.add('Service', 'Environment', 'SKIFF_SYSTEMD_UNIT=%n');
  const podIdFile = '--pod-id-file=%t/%N.pod-id';
  const create = skiffCmd(ctx, unit, G).add('pod', 'create', '--infra-conmon-pidfile=%t/%N.pid', podIdFile, '--exit-policy=stop', '--replace');
  create.addLast(unit, G, { HostName: '--hostname', IP: '--ip', IP6: '--ip6', ShmSize: '--shm-size', UserNS: '--userns' });
  create.addAll(unit, G, {
    AddHost: '--add-host', DNS: '--dns', DNSOption: '--dns-option', DNSSearch: '--dns-search', NetworkAlias: '--network-alias',
    UIDMap: '--uidmap', GIDMap: '--gidmap',
  });
  for (const n of unit.all(G, 'Network')) create.add('--network', n.endsWith('.network') ? dependOn(ctx, source, service, n, 'network') : n);
  for (const v of unit.all(G, 'Volume')) {
    const [src, ...rest] = v.split(':');
    create.add('--volume', [src!.endsWith('.volume') ? dependOn(ctx, source, service, src!, 'volume') : src!.startsWith('.') ? absolutePath(source, src!) : src!, ...rest].join(':'));
  }
  for (const p of unit.all(G, 'PublishPort')) create.add('--publish', p.trim());
  create.addKeyVals(unit, G, { Label: '--label' }).addWords(unit, G, 'PodmanArgs');
  create.add('--infra-name', `${name}-infra`, '--name', name);
  service.add('Service', 'ExecStartPre', create.line());
  service.add('Service', 'ExecStart', skiffCmd(ctx, unit, G).add('pod', 'start', podIdFile).line());
  service.add('Service', 'ExecStop', skiffCmd(ctx, unit, G).add('pod', 'stop', podIdFile, '--ignore', '--time=10').line());
  service.add('Service', 'ExecStopPost', skiffCmd(ctx, unit, G).add('pod', 'rm', podIdFile, '--ignore', '--force').line());
  if (!unit.get('Service', 'Type')) service.add('Service', 'Type', 'forking');
  service.add('Service', 'PIDFile', '%t/%N.pid');
  return service;
}
