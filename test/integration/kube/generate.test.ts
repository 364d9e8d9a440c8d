// kube generate: skiff's containers and pods as Kubernetes YAML in Podman's shapes, every document
// valid against its Kubernetes OpenAPI model, and played by `podman kube play` into workloads that
// answer as skiff's own did.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { validateManifest } from '../../../src/core/kube/validate.js';
import { IMAGE, expectCode, freePort, podEnv, waitFor } from '../pods/fixtures.js';
import type { NetEnv } from '../network/fixtures.js';
import { podmanPeer } from '../../helpers/podman.js';
import { tool, unmet } from '../../helpers/requires.js';

let env: NetEnv;

before(() => {
  env = podEnv('skiff-kube-');
});
after(async () => {
  await env.teardownNet();
});

type Doc = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

function docsOf(yaml: string): Doc[] {
  return parseAllDocuments(yaml).map((d) => d.toJS() as Doc).filter((d) => d !== null);
}

// Absolute paths: Kubernetes and Podman give an image without ENV PATH no default PATH for argv[0].
const HTTPD = 'mkdir -p /tmp/www && echo from-kube > /tmp/www/index.html && exec httpd -f -p 8080 -h /tmp/www';
const FULL_IMAGE = `docker.io/library/${IMAGE}:latest`;

let webPort: number;
let webYaml: string;
let podYaml: string;

function createWeb(): void {
  env.ok(['volume', 'create', 'data']);
  env.track(env.ok([
    'create', '--name', 'web', '-e', 'FOO=bar', '-p', `127.0.0.1:${webPort}:8080`, '-v', 'data:/data',
    '--memory', '64m', '--cpus', '0.5', '--cap-add', 'NET_ADMIN', '--cap-drop', 'CHOWN', '--user', '1000:1000',
    '--hostname', 'webhost', '--add-host', 'foo.example:10.1.2.3', '--restart', 'on-failure',
    '--health-cmd', '/bin/wget -qO- http://localhost:8080/', '--health-interval', '10s', '--health-timeout', '3s', '--health-retries', '4',
    IMAGE, '/bin/sh', '-c', HTTPD,
  ]).trim());
}

test('a container with env, ports, a named volume, limits, caps and a healthcheck: claim, NodePort Service and Pod in Podman shapes, each valid', async () => {
  webPort = await freePort();
  createWeb();
  webYaml = env.ok(['kube', 'generate', '--service', 'web']);
  assert.match(webYaml, /^# Save the output of this file and use kubectl create -f to import\n/);
  const docs = docsOf(webYaml);
  assert.deepEqual(docs.map((d) => d.kind), ['PersistentVolumeClaim', 'Service', 'Pod']);
  for (const d of docs) validateManifest(d);
  const [pvc, svc, pod] = docs;
  assert.equal(pvc.metadata.name, 'data');
  assert.equal(pvc.metadata.annotations['volume.podman.io/driver'], 'local');
  assert.deepEqual(pvc.spec, { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } });

  assert.equal(svc.metadata.name, 'web-pod');
  assert.equal(svc.spec.type, 'NodePort');
  assert.deepEqual(svc.spec.selector, { app: 'web-pod' });
  assert.equal(svc.spec.ports.length, 1);
  const { nodePort, ...port } = svc.spec.ports[0];
  assert.deepEqual(port, { name: '8080', port: 8080, targetPort: 8080 });
  assert.ok(nodePort >= 30000 && nodePort <= 32767, `nodePort ${nodePort} in Kubernetes' NodePort range`);

  assert.equal(pod.metadata.name, 'web-pod');
  assert.deepEqual(pod.metadata.labels, { app: 'web-pod' });
  const { containers, ...spec } = pod.spec;
  assert.deepEqual(spec, {
    automountServiceAccountToken: false,
    enableServiceLinks: false,
    hostname: 'webhost',
    hostAliases: [{ ip: '10.1.2.3', hostnames: ['foo.example'] }],
    restartPolicy: 'OnFailure',
    volumes: [{ name: 'data-pvc', persistentVolumeClaim: { claimName: 'data' } }],
  });
  assert.deepEqual(containers, [{
    name: 'web',
    image: FULL_IMAGE,
    // The image has no Entrypoint: the whole command is Kubernetes' command (Podman's shape).
    command: ['/bin/sh', '-c', HTTPD],
    env: [{ name: 'FOO', value: 'bar' }],
    ports: [{ containerPort: 8080, hostPort: webPort, hostIP: '127.0.0.1' }],
    resources: { limits: { cpu: '500m', memory: '64Mi' } },
    securityContext: { capabilities: { add: ['NET_ADMIN'], drop: ['CHOWN'] }, runAsUser: 1000, runAsGroup: 1000 },
    livenessProbe: {
      exec: { command: ['/bin/sh', '-c', '/bin/wget -qO- http://localhost:8080/'] },
      periodSeconds: 10,
      timeoutSeconds: 3,
      failureThreshold: 4,
    },
    volumeMounts: [{ mountPath: '/data', name: 'data-pvc' }],
  }]);
});

test('-f writes the YAML to a new file and refuses to replace one (exit 125); a volume alone gives its claim (generate kube spelling); an unknown name is refused', () => {
  const file = join(env.dir, 'web.yaml');
  env.ok(['kube', 'generate', '-f', file, 'web']);
  assert.deepEqual(docsOf(readFileSync(file, 'utf8')).map((d) => d.kind), ['PersistentVolumeClaim', 'Pod']);
  const r = env.run(['kube', 'generate', '-f', file, 'web']);
  expectCode(r, 125, 'generate onto an existing file');
  assert.match(r.stderr, /^Error: cannot write to ".*web\.yaml"; file exists\n$/);
  const claim = docsOf(env.ok(['generate', 'kube', 'data']));
  assert.deepEqual(claim.map((d) => [d.kind, d.metadata.name]), [['PersistentVolumeClaim', 'data']]);
  validateManifest(claim[0]);
  const missing = env.run(['kube', 'generate', 'nosuch']);
  expectCode(missing, 125, 'generate of an unknown name');
  assert.equal(missing.stderr, 'Error: name or ID "nosuch" not found\n');
});

test('validateManifest refuses a document its Kubernetes model rejects, with the model words, and an unknown kind', () => {
  const bad = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'bad' }, spec: { containers: [{ name: 'a', image: 'x', ports: [{ containerPort: 'eighty' }] }] } };
  assert.throws(() => validateManifest(bad), { message: 'Pod bad: data/spec/containers/0/ports/0/containerPort must be integer' });
  assert.throws(() => validateManifest({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'noimage' }, spec: {} }), { message: 'Pod noimage: data/spec must have required property containers' });
  assert.throws(() => validateManifest({ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' } }), /unsupported Kubernetes kind Widget/);
});

test('a two-container pod: one Pod of its members (no infra) in creation order with the pod ports and hostname; --type deployment and daemonset wrap the same spec', async () => {
  const hostPort = await freePort();
  env.ok(['pod', 'create', '--name', 'duo', '-p', `127.0.0.1:${hostPort}:8080`]);
  env.track(env.ok(['pod', 'inspect', '-f', '{{.InfraContainerID}}', 'duo']).trim());
  env.track(env.ok(['create', '--pod', 'duo', '--name', 'httpd', IMAGE, '/bin/sh', '-c', HTTPD]).trim());
  env.track(env.ok(['create', '--pod', 'duo', '--name', 'client', '-e', 'ROLE=client', IMAGE, '/bin/sleep', '1000']).trim());
  podYaml = env.ok(['kube', 'generate', 'duo']);
  const docs = docsOf(podYaml);
  assert.deepEqual(docs.map((d) => d.kind), ['Pod']);
  validateManifest(docs[0]);
  const pod = docs[0];
  assert.equal(pod.metadata.name, 'duo');
  assert.equal(pod.spec.hostname, 'duo');
  assert.equal(pod.spec.restartPolicy, 'Never');
  assert.deepEqual(pod.spec.containers, [
    { name: 'httpd', image: FULL_IMAGE, command: ['/bin/sh', '-c', HTTPD], ports: [{ containerPort: 8080, hostPort, hostIP: '127.0.0.1' }] },
    { name: 'client', image: FULL_IMAGE, command: ['/bin/sleep', '1000'], env: [{ name: 'ROLE', value: 'client' }] },
  ]);

  const dep = docsOf(env.ok(['kube', 'generate', '--type', 'deployment', '-s', 'duo']));
  assert.deepEqual(dep.map((d) => d.kind), ['Service', 'Deployment']);
  for (const d of dep) validateManifest(d);
  const deployment = dep[1];
  assert.equal(deployment.apiVersion, 'apps/v1');
  assert.equal(deployment.metadata.name, 'duo-deployment');
  assert.equal(deployment.spec.replicas, 1);
  assert.deepEqual(deployment.spec.selector, { matchLabels: { app: 'duo' } });
  assert.deepEqual(deployment.spec.template.metadata, { labels: { app: 'duo' } });
  assert.deepEqual(deployment.spec.template.spec, { ...pod.spec, restartPolicy: 'Always' });

  const ds = docsOf(env.ok(['kube', 'generate', '--type', 'daemonset', 'duo']));
  assert.deepEqual(ds.map((d) => [d.apiVersion, d.kind, d.metadata.name]), [['apps/v1', 'DaemonSet', 'duo-daemonset']]);
  validateManifest(ds[0]);
  assert.equal(ds[0].spec.replicas, undefined);
  assert.deepEqual(ds[0].spec.template.spec, { ...pod.spec, restartPolicy: 'Always' });
  expectCode(env.run(['kube', 'generate', '--type', 'statefulset', 'duo']), 125, '--type statefulset');
});

test('podman kube play runs the YAML skiff generated (container, pod, deployment): httpd answers the same text in podman as in skiff', { skip: unmet(tool('podman')) }, async () => {
  assert.ok(webYaml && podYaml, 'the generate tests ran first');
  // In skiff: the pod's client reaches httpd on the pod's localhost.
  env.ok(['pod', 'start', 'duo']);
  const inSkiff = await waitFor(() => {
    const r = env.run(['exec', 'client', '/bin/wget', '-qO-', 'http://localhost:8080/']);
    return r.code === 0 ? r.stdout : undefined;
  }, 15_000, 'httpd to answer in the skiff pod');
  assert.equal(inSkiff, 'from-kube\n');
  env.ok(['pod', 'stop', '-t', '0', 'duo']);

  const { args: peerArgs, env: penv } = podmanPeer(env.dir);
  // Podman's networks in a config dir of this test's, on this env's 5th subnet and bridge name,
  // so the env's teardown checks that podman left no bridge or iptables rule either.
  const netconf = join(env.dir, 'p-netconf');
  const args = [...peerArgs, '--network-config-dir', netconf];
  const podman = (a: string[]) => execFileSync('podman', [...args, ...a], { encoding: 'utf8', env: penv, stdio: ['ignore', 'pipe', 'pipe'] });
  try {
    const tar = join(env.dir, 'bb.tar');
    env.ok(['save', '-o', tar, IMAGE]);
    podman(['load', '-i', tar]);
    const webFile = join(env.dir, 'web-play.yaml');
    const podFile = join(env.dir, 'duo-play.yaml');
    writeFileSync(webFile, webYaml);
    writeFileSync(podFile, podYaml);
    // Podman 4.3 has no --interface-name: the bridge is named in the network's file.
    const net = `skiffkube${env.n}`;
    podman(['network', 'create', '--disable-dns', '--subnet', env.subnet(4), net]);
    const netFile = join(netconf, `${net}.json`);
    writeFileSync(netFile, JSON.stringify({ ...JSON.parse(readFileSync(netFile, 'utf8')), network_interface: env.iface(4) }));
    podman(['kube', 'play', '--network', net, podFile]);
    podman(['kube', 'play', '--network', net, webFile]);
    const ask = (ctr: string) => waitFor(() => {
      const r = spawnSync('podman', [...args, 'exec', ctr, '/bin/wget', '-qO-', 'http://localhost:8080/'], { encoding: 'utf8', env: penv });
      return r.status === 0 ? r.stdout : undefined;
    }, 15_000, `httpd to answer in podman's ${ctr}`);
    assert.equal(await ask('duo-client'), inSkiff, 'the pod: the client reaches httpd on localhost');
    assert.equal(await ask('web-pod-web'), inSkiff, 'the container: httpd answers');
    assert.equal(podman(['exec', 'duo-client', '/bin/sh', '-c', 'echo $ROLE; hostname']), 'client\nduo\n');
    assert.equal(podman(['exec', 'web-pod-web', '/bin/sh', '-c', 'echo $FOO; id -u; id -g; hostname; grep foo.example /etc/hosts']), 'bar\n1000\n1000\nwebhost\n10.1.2.3\tfoo.example\n');
    const hc = JSON.parse(podman(['inspect', '-f', '{{json .Config.Healthcheck}}', 'web-pod-web'])) as { Interval: number; Timeout: number; Retries: number };
    assert.deepEqual([hc.Interval, hc.Timeout, hc.Retries], [10e9, 3e9, 4]);
    assert.equal(podman(['inspect', '-f', '{{.HostConfig.Memory}} {{.HostConfig.NanoCpus}} {{.HostConfig.RestartPolicy.Name}}', 'web-pod-web']).trim(), '67108864 500000000 on-failure');
    const caps = podman(['inspect', '-f', '{{json .EffectiveCaps}}', 'web-pod-web']);
    assert.ok(caps.includes('CAP_NET_ADMIN') && !caps.includes('CAP_CHOWN'), `caps ${caps}`);
    assert.equal(podman(['volume', 'ls', '--format', '{{.Name}}']).trim(), 'data', 'the claim made the volume');
    // The Deployment form of the same pod (its host port is the pod's: that one goes first).
    podman(['kube', 'down', podFile]);
    const depFile = join(env.dir, 'duo-deployment.yaml');
    writeFileSync(depFile, env.ok(['kube', 'generate', '--type', 'deployment', 'duo']));
    podman(['kube', 'play', '--network', net, depFile]);
    assert.equal(await ask('duo-deployment-pod-0-client'), inSkiff, 'the deployment: the client reaches httpd on localhost');
  } finally {
    spawnSync('podman', [...args, 'pod', 'rm', '-f', '-t', '0', '-a'], { env: penv, stdio: 'ignore' });
    spawnSync('podman', [...args, 'system', 'reset', '-f'], { env: penv, stdio: 'ignore' });
  }
});
