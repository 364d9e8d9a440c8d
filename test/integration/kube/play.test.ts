// `kube play` / `kube down` of hand-written Kubernetes YAML (a Deployment of busybox httpd with
// a ConfigMap volume, a Secret env var and a claimed volume, a Service) and of the YAML
// `podman kube generate` writes, on a private network env.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { spawnSync, execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { IMAGE, expectCode, freePort, httpGet, podEnv, waitFor } from '../pods/fixtures.js';
import type { NetEnv } from '../network/fixtures.js';
import { podmanPeer, type PodmanPeer } from '../../helpers/podman.js';
import { tool, unmet } from '../../helpers/requires.js';

let env: NetEnv;

before(() => {
  env = podEnv('skiff-kube-');
});
after(async () => {
  await env.teardownNet();
});

function manifest(port: number): string {
  return `apiVersion: v1
kind: ConfigMap
metadata: {name: site}
data:
  index.html: "hello from the configmap\\n"
---
apiVersion: v1
kind: Secret
metadata: {name: creds}
type: Opaque
data:
  token: ${Buffer.from('s3cret').toString('base64')}
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: data}
spec:
  accessModes: [ReadWriteOnce]
  resources: {requests: {storage: 1Gi}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, labels: {app: web}}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - name: httpd
        image: ${IMAGE}
        command: [sh, -c, 'hostname >> /data/started && exec httpd -f -p 8080 -h /site']
        env:
        - name: TOKEN
          valueFrom: {secretKeyRef: {name: creds, key: token}}
        ports:
        - {containerPort: 8080, hostPort: ${port}, hostIP: 127.0.0.1}
        volumeMounts:
        - {name: site, mountPath: /site}
        - {name: data, mountPath: /data}
        - {name: scratch, mountPath: /scratch}
      volumes:
      - {name: site, configMap: {name: site}}
      - {name: data, persistentVolumeClaim: {claimName: data}}
      - {name: scratch, emptyDir: {medium: Memory}}
---
apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  type: NodePort
  selector: {app: web}
  ports: [{port: 80, targetPort: 8080}]
`;
}

test('kube play of a Deployment (2 replicas) with ConfigMap, Secret, PVC and Service serves on the host port; kube down removes all but the volume (--force: it too)', async () => {
  const port = await freePort();
  const file = join(env.dir, 'web.yaml');
  writeFileSync(file, manifest(port));
  const r = env.run(['kube', 'play', file]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^Volume:\ndata\n\nPod:\n[0-9a-f]{64}\nContainer:\n[0-9a-f]{64}\n\n/);
  assert.match(r.stderr, /web-pod-1: host ports .* are published by web-pod-0 only/);
  assert.equal(env.ok(['pod', 'ps', '--format', '{{.Name}}']).trim().split('\n').sort().join(' '), 'web-pod-0 web-pod-1');
  const body = await waitFor(() => httpGet('127.0.0.1', port), 15_000, 'the published port to answer');
  assert.equal(body, 'hello from the configmap\n');
  for (const pod of ['web-pod-0', 'web-pod-1']) {
    const ctr = `${pod}-httpd`;
    await waitFor(() => env.run(['exec', ctr, 'true']).code === 0 || undefined, 15_000, `${ctr} to run`);
    assert.equal(env.ok(['exec', ctr, 'sh', '-c', 'echo $TOKEN; hostname']), `s3cret\n${pod}\n`);
    // The tmpfs of `emptyDir: {medium: Memory}`.
    assert.match(env.ok(['exec', ctr, 'sh', '-c', 'grep " /scratch " /proc/mounts']), /^tmpfs \/scratch tmpfs /);
  }
  const started = await waitFor(() => {
    const s = env.run(['exec', 'web-pod-0-httpd', 'cat', '/data/started']).stdout;
    return s.split('\n').filter(Boolean).length === 2 ? s : undefined;
  }, 15_000, 'both replicas to write to the claimed volume');
  assert.deepEqual(started.trim().split('\n').sort(), ['web-pod-0', 'web-pod-1']);

  const down = env.run(['kube', 'down', file]);
  assert.equal(down.code, 0, down.stderr);
  assert.match(down.stdout, /^Pods stopped:\n[0-9a-f]{64}\n[0-9a-f]{64}\nPods removed:\n/);
  assert.equal(env.ok(['pod', 'ps', '-q']), '');
  assert.equal(env.ok(['ps', '-aq']), '');
  assert.equal(env.ok(['volume', 'ls', '-q']).trim(), 'data');
  const kubeDir = join(env.root, 'kube');
  assert.deepEqual(existsSync(kubeDir) ? readdirSync(kubeDir) : [], [], 'ConfigMap files left');
  assert.equal(await httpGet('127.0.0.1', port), undefined, 'the port still answers');
  // Podman 4.4's `kube down --force`: the claims' volumes too.
  assert.match(env.ok(['kube', 'down', '--force', file]), /Volumes removed:\ndata\n$/);
  assert.equal(env.ok(['volume', 'ls', '-q']), '');
});

test('kube play refuses an unsupported field by its path and creates nothing', () => {
  const file = join(env.dir, 'bad.yaml');
  writeFileSync(file, `apiVersion: v1
kind: Pod
metadata: {name: bad}
spec:
  containers:
  - name: c
    image: ${IMAGE}
    lifecycle: {preStop: {exec: {command: ['true']}}}
`);
  const r = env.run(['kube', 'play', file]);
  expectCode(r, 125, 'kube play of an unsupported field');
  assert.equal(r.stderr, 'Error: kube play: spec.containers[0].lifecycle is not supported\n');
  assert.equal(env.ok(['pod', 'ps', '-q']), '');
});

test('kube play refuses a manifest its Kubernetes model rejects, with the model words, and creates nothing', () => {
  const file = join(env.dir, 'invalid.yaml');
  writeFileSync(file, `apiVersion: v1
kind: Pod
metadata: {name: invalid}
spec:
  containers:
  - name: c
    image: ${IMAGE}
    ports: [{containerPort: eighty}]
`);
  const r = env.run(['kube', 'play', file]);
  expectCode(r, 125, 'kube play of an invalid Pod');
  assert.match(r.stderr, /^Error: Pod invalid: .*containerPort must be integer/m);
  assert.equal(env.ok(['pod', 'ps', '-q']), '');
  assert.equal(env.ok(['ps', '-aq']), '');
});

test('kube play of a Job runs its pod to completion (init container first) and fails on a non-zero exit', () => {
  const job = (code: number) => `apiVersion: batch/v1
kind: Job
metadata: {name: once${code}}
spec:
  template:
    spec:
      restartPolicy: Never
      initContainers:
      - {name: prep, image: ${IMAGE}, command: [sh, -c, 'echo prepared > /work/p'], volumeMounts: [{name: w, mountPath: /work}]}
      containers:
      - {name: main, image: ${IMAGE}, command: [sh, -c, 'cat /work/p; exit ${code}'], volumeMounts: [{name: w, mountPath: /work}]}
      volumes: [{name: w, emptyDir: {}}]
`;
  env.ok(['kube', 'play', '-'], job(0));
  assert.equal(env.ok(['logs', `once0-pod-0-main`]), 'prepared\n');
  assert.equal(env.ok(['inspect', '-f', '{{.State.Status}} {{.State.ExitCode}}', 'once0-pod-0-main']).trim(), 'exited 0');
  const bad = env.run(['kube', 'play', '-'], { input: job(3) });
  expectCode(bad, 125, 'a failing Job');
  assert.match(bad.stderr, /job once3: container once3-pod-0-main exited with status 3/);
  for (const code of [0, 3]) {
    env.ok(['kube', 'down', '-'], job(code));
    // The emptyDir's volume goes with its pod.
    assert.equal(env.run(['volume', 'inspect', `once${code}-pod-0-w`]).code, 125);
  }
  assert.equal(env.ok(['ps', '-aq']), '');
});

test('kube play builds a missing image from the directory named after it beside the YAML; --build rebuilds it, --build=false never builds', async () => {
  const dir = join(env.dir, 'buildplay');
  mkdirSync(join(dir, 'webimg'), { recursive: true });
  const containerfile = (v: string) => writeFileSync(join(dir, 'webimg', 'Containerfile'), `FROM ${IMAGE}\nRUN echo ${v} > /built\n`);
  containerfile('v1');
  const file = join(dir, 'app.yaml');
  writeFileSync(file, `apiVersion: v1
kind: Pod
metadata: {name: bp}
spec:
  restartPolicy: Never
  containers:
  - name: c
    image: localhost/webimg:latest
    command: [cat, /built]
`);
  const page = async () => {
    await waitFor(() => (env.ok(['inspect', '-f', '{{.State.Status}}', 'bp-c']).trim() === 'exited' ? true : undefined), 30_000, 'bp-c to run');
    return env.ok(['logs', 'bp-c']);
  };
  expectCode(env.run(['kube', 'play', file]), 0, 'kube play building a missing image');
  assert.equal(await page(), 'v1\n');
  containerfile('v2');
  expectCode(env.run(['kube', 'play', '--replace', file]), 0, 'kube play --replace with the image present');
  assert.equal(await page(), 'v1\n', 'a present image is not built again without --build');
  expectCode(env.run(['kube', 'play', '--replace', '--build', file]), 0, 'kube play --replace --build');
  assert.equal(await page(), 'v2\n');
  env.ok(['kube', 'down', file]);
  env.ok(['rmi', 'localhost/webimg:latest']);
  const never = env.run(['kube', 'play', '--build=false', file]);
  assert.notEqual(never.code, 0, '--build=false does not build the missing image');
  assert.equal(env.ok(['pod', 'ps', '-q']), '');
  assert.equal(env.run(['image', 'inspect', 'localhost/webimg:latest']).code, 125);
});

test('kube play flags: --configmap, --network, --start=false, --replace and --down; hostPath and a readiness probe', async () => {
  const host = join(env.dir, 'hostdir');
  const cm = join(env.dir, 'cm.yaml');
  writeFileSync(cm, 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings}\ndata: {MODE: quiet}\n');
  const file = join(env.dir, 'pod.yaml');
  writeFileSync(file, `apiVersion: v1
kind: Pod
metadata: {name: solo, annotations: {note: kept}}
spec:
  containers:
  - name: app
    image: ${IMAGE}
    command: [sh, -c, 'echo "$MODE" > /host/mode; exec sleep 600']
    envFrom: [{configMapRef: {name: settings}}]
    readinessProbe: {exec: {command: [test, -f, /host/mode]}, periodSeconds: 30}
    volumeMounts: [{name: h, mountPath: /host}]
  volumes: [{name: h, hostPath: {path: ${host}, type: DirectoryOrCreate}}]
`);
  env.createNetwork('kubeflags', 1);
  try {
    await playFlags(cm, file, host);
  } finally {
    env.run(['pod', 'rm', '-f', 'solo']);
    env.run(['network', 'rm', 'kubeflags']);
  }
});

async function playFlags(cm: string, file: string, host: string): Promise<void> {
  env.ok(['kube', 'play', '--start=false', '--network', 'kubeflags', '--configmap', cm, file]);
  assert.equal(env.ok(['inspect', '-f', '{{.State.Status}}', 'solo-app']).trim(), 'created');
  assert.equal(env.ok(['inspect', '-f', '{{json .Config.Healthcheck.Test}}', 'solo-app']).trim(), '["CMD","test","-f","/host/mode"]');
  const again = env.run(['kube', 'play', '--configmap', cm, file]);
  expectCode(again, 125, 'a second play without --replace');
  assert.match(again.stderr, /solo.*already exists/);
  env.ok(['kube', 'play', '--replace', '--network', 'kubeflags', '--configmap', cm, file]);
  assert.equal(env.ok(['inspect', '-f', '{{.State.Status}}', 'solo-app']).trim(), 'running');
  const infra = env.ok(['pod', 'inspect', '-f', '{{.InfraContainerID}}', 'solo']).trim();
  assert.match(env.ok(['inspect', '-f', '{{json .NetworkSettings.Networks}}', infra]), /"kubeflags"/);
  const mode = await waitFor(() => env.run(['exec', 'solo-app', 'cat', '/host/mode']).stdout || undefined, 15_000, 'the container to write /host/mode');
  assert.equal(mode, 'quiet\n');
  assert.equal(readFileSync(join(host, 'mode'), 'utf8'), 'quiet\n');
  assert.equal(env.ok(['healthcheck', 'run', 'solo-app']), '');
  // The pod's annotations are its containers' OCI annotations.
  const id = env.ok(['inspect', '-f', '{{.Id}}', 'solo-app']).trim();
  const spec = JSON.parse(readFileSync(join(env.runroot, 'containers', id, 'bundle', 'config.json'), 'utf8')) as { annotations?: Record<string, string> };
  assert.equal(spec.annotations?.note, 'kept');
  assert.match(env.ok(['kube', 'play', '--down', file]), /^Pods stopped:\n[0-9a-f]{64}\nPods removed:\n[0-9a-f]{64}\n$/);
  assert.equal(env.ok(['ps', '-aq']), '');
}

test('kube play of YAML from podman kube generate serves what the podman pod served', { skip: unmet(tool('podman')) }, async () => {
  const dir = join(env.dir, 'podman');
  const peer: PodmanPeer = podmanPeer(dir);
  // Podman's networks in a directory of its own, on this env's subnet and bridge name.
  mkdirSync(join(dir, 'networks'), { recursive: true });
  writeFileSync(peer.env.CONTAINERS_CONF!, `[containers]\ndefault_ulimits = ["nofile=1024:1024", "nproc=4096:4096"]\n[network]\nnetwork_config_dir = "${join(dir, 'networks')}"\n`);
  const podman = (args: string[], input?: string) =>
    execFileSync('podman', [...peer.args, ...args], { encoding: 'utf8', env: peer.env, ...(input !== undefined ? { input } : {}), stdio: [input !== undefined ? 'pipe' : 'ignore', 'pipe', 'pipe'] });
  try {
    const image = join(env.dir, 'bb.tar');
    env.ok(['save', '-o', image, IMAGE]);
    podman(['load', '-i', image]);
    // Podman 4.3 names no bridge on the command line: its network file, written as netavark's.
    const subnet = env.subnet(3);
    writeFileSync(join(dir, 'networks', 'kubenet.json'), JSON.stringify({
      name: 'kubenet', id: 'a1'.repeat(32), driver: 'bridge', network_interface: env.iface(3), created: new Date().toISOString(),
      subnets: [{ subnet, gateway: subnet.replace(/\.0\/24$/, '.1') }], ipv6_enabled: false, internal: false, dns_enabled: false,
      ipam_options: { driver: 'host-local' },
    }));
    const p1 = await freePort();
    podman(['pod', 'create', '--name', 'gen', '--network', 'kubenet', '-p', `127.0.0.1:${p1}:8080`]);
    podman(['run', '-d', '--pod', 'gen', '--name', 'srv', IMAGE, 'sh', '-c', 'mkdir -p /w && echo served-from-generated-yaml > /w/index.html && exec httpd -f -p 8080 -h /w']);
    const fromPodman = await waitFor(() => httpGet('127.0.0.1', p1), 15_000, 'podman pod to answer');
    const yaml = podman(['kube', 'generate', 'gen']);
    podman(['pod', 'rm', '-f', 'gen']);
    const p2 = await freePort();
    const file = join(env.dir, 'generated.yaml');
    writeFileSync(file, yaml.replace(`hostPort: ${p1}`, `hostPort: ${p2}`));
    env.ok(['kube', 'play', file]);
    assert.equal(env.ok(['inspect', '-f', '{{.State.Status}}', 'gen-srv']).trim(), 'running');
    const fromSkiff = await waitFor(() => httpGet('127.0.0.1', p2), 15_000, 'skiff pod to answer');
    assert.equal(fromSkiff, fromPodman);
    assert.equal(fromSkiff, 'served-from-generated-yaml\n');
    env.ok(['kube', 'down', file]);
    assert.equal(env.ok(['ps', '-aq']), '');
  } finally {
    spawnSync('podman', [...peer.args, 'system', 'reset', '-f'], { env: peer.env, stdio: 'ignore' });
  }
});
