import { readdir, readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import type { Router } from '../router.js';
import { DEFAULT_INIT } from '../../engine/containers/create-input.js';
import { mustRes, sendJson } from '../call.js';
import { API_VERSION, MIN_API_VERSION } from '../version.js';
import { versionInfo } from '../../engine/index.js';
import { imageSummaryDoc } from '../shapes/image.js';
import { volumeDoc } from '../shapes/volume.js';
import { buildCacheDoc } from '../shapes/build.js';
import { summaryDoc } from '../shapes/container.js';

/** Descriptors the service holds (dockerd's NFd); read on libuv's pool. */
async function openFds(): Promise<number> {
  return (await readdir('/proc/self/fd').catch(() => [])).length;
}

async function sysctlOn(name: string): Promise<boolean> {
  return (await readFile(`/proc/sys/${name}`, 'utf8').catch(() => '0')).trim() === '1';
}

export function registerSystemRoutes(r: Router): void {
  const ping = (c: Parameters<Parameters<Router['get']>[1]>[0]) => {
    const res = mustRes(c);
    res.writeHead(200, {
      'Content-Type': 'text/plain; charset=utf-8',
      'Cache-Control': 'no-cache, no-store, must-revalidate',
      Pragma: 'no-cache',
      Swarm: 'inactive',
      // only the classic builder: the docker CLI then sends `/build?version=1`
      'Builder-Version': '1',
    });
    res.end(c.req.method === 'HEAD' ? undefined : 'OK');
  };
  // Podman's bindings ping `/libpod/_ping` before any libpod call (routes/pods.ts).
  r.get('/_ping', ping).head('/_ping', ping).get('/libpod/_ping', ping).head('/libpod/_ping', ping);

  r.get('/version', (c) => {
    const v = versionInfo();
    const details = { ApiVersion: API_VERSION, MinAPIVersion: MIN_API_VERSION, Os: v.Os, Arch: v.Arch, KernelVersion: v.KernelVersion };
    sendJson(mustRes(c), 200, {
      Platform: { Name: 'skiff' },
      Components: [{ Name: 'Engine', Version: v.Version, Details: { ...details, GitCommit: v.GitCommit, NodeVersion: v.NodeVersion } }],
      Version: v.Version,
      ApiVersion: API_VERSION,
      MinAPIVersion: MIN_API_VERSION,
      GitCommit: v.GitCommit,
      GoVersion: v.GoVersion,
      Os: v.Os,
      Arch: v.Arch,
      KernelVersion: v.KernelVersion,
      BuildTime: v.BuildTime,
    });
  });

  r.get('/info', async (c) => {
    const info = c.engine.info();
    const containers = await c.engine.containers.list({ all: true });
    const count = (s: string) => containers.filter((x) => x.State === s).length;
    sendJson(mustRes(c), 200, {
      ID: info.host.hostname,
      Name: info.host.hostname,
      Containers: containers.length,
      ContainersRunning: count('running'),
      ContainersPaused: count('paused'),
      ContainersStopped: containers.length - count('running') - count('paused'),
      Images: info.store.imageStore.number,
      Driver: info.store.graphDriverName,
      DriverStatus: [],
      DockerRootDir: info.store.graphRoot,
      Plugins: { Volume: ['local'], Network: ['bridge', 'host', 'none'], Authorization: null, Log: ['k8s-file'] },
      MemoryLimit: true,
      SwapLimit: true,
      CpuCfsPeriod: true,
      CpuCfsQuota: true,
      CPUShares: true,
      CPUSet: true,
      PidsLimit: true,
      IPv4Forwarding: true,
      LoggingDriver: 'k8s-file',
      CgroupDriver: info.host.limits.available ? 'cgroupfs' : 'none',
      CgroupVersion: info.host.cgroupVersion,
      KernelVersion: info.host.kernel,
      OperatingSystem: info.host.distribution,
      OSType: 'linux',
      OSVersion: '',
      Architecture: info.host.arch === 'amd64' ? 'x86_64' : info.host.arch,
      NCPU: info.host.cpus,
      MemTotal: info.host.memTotal,
      IndexServerAddress: 'https://index.docker.io/v1/',
      RegistryConfig: {
        AllowNondistributableArtifactsCIDRs: [],
        AllowNondistributableArtifactsHostnames: [],
        InsecureRegistryCIDRs: ['127.0.0.0/8'],
        IndexConfigs: {},
        Mirrors: [],
      },
      Runtimes: { runc: { path: 'runc' }, crun: { path: 'crun' } },
      DefaultRuntime: 'runc',
      Swarm: { LocalNodeState: 'inactive', ControlAvailable: false, NodeID: '', NodeAddr: '', Error: '', RemoteManagers: null },
      Labels: [],
      ExperimentalBuild: false,
      ServerVersion: info.version.Version,
      // A rootless dockerd adds name=rootless, and says cgroup driver "none" where it has no cgroups.
      SecurityOptions: ['name=seccomp,profile=default', ...(info.host.security.rootless ? ['name=rootless'] : [])],
      Warnings: [],
      // The rest of what dockerd 20.10 sends (test/vendor/dockerd/info.json), from what skiff has.
      Debug: c.debug,
      NFd: await openFds(),
      NGoroutines: process.getActiveResourcesInfo().length,
      NEventsListener: 0,
      SystemTime: new Date().toISOString(),
      KernelMemory: false,
      KernelMemoryTCP: false,
      OomKillDisable: true,
      BridgeNfIptables: await sysctlOn('net/bridge/bridge-nf-call-iptables'),
      BridgeNfIp6tables: await sysctlOn('net/bridge/bridge-nf-call-ip6tables'),
      GenericResources: null,
      HttpProxy: process.env.HTTP_PROXY ?? process.env.http_proxy ?? '',
      HttpsProxy: process.env.HTTPS_PROXY ?? process.env.https_proxy ?? '',
      NoProxy: process.env.NO_PROXY ?? process.env.no_proxy ?? '',
      LiveRestoreEnabled: true,
      Isolation: '',
      InitBinary: basename(DEFAULT_INIT),
      ContainerdCommit: { ID: '', Expected: '' },
      RuncCommit: { ID: '', Expected: '' },
      InitCommit: { ID: '', Expected: '' },
    });
  });

  r.get('/system/df', async (c) => {
    const du = await c.engine.df();
    const images = await c.engine.images.list({ all: true });
    const usage = new Map(du.Volumes.map((v) => [v.Name, v]));
    sendJson(mustRes(c), 200, {
      LayersSize: du.LayersSize,
      Images: images.map(imageSummaryDoc),
      Containers: du.Containers.map(summaryDoc),
      Volumes: c.engine.volumes.list().map((v) => volumeDoc(v, usage.get(v.Name) ?? { Size: -1, RefCount: v.RefCount })),
      BuildCache: c.engine.builder.cacheUsage().map(buildCacheDoc),
    });
  });
}
