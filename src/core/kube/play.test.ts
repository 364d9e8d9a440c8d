import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseManifests, parseQuantity, planPlay } from './play.js';

const DEPLOYMENT = `apiVersion: apps/v1
kind: Deployment
metadata: {name: web, annotations: {team: a}}
spec:
  replicas: 2
  template:
    metadata: {labels: {app: web}}
    spec:
      securityContext: {runAsUser: 1000}
      containers:
      - name: srv
        image: bb
        command: [httpd]
        ports: [{containerPort: 8080}]
        resources: {limits: {memory: 64Mi, cpu: 500m}}
        livenessProbe: {exec: {command: [true]}, periodSeconds: 5, failureThreshold: 2}
        securityContext: {allowPrivilegeEscalation: false, capabilities: {drop: [ALL]}}
`;

test("a Deployment's replicas are pods <name>-pod-N with containers <pod>-<container>, as Podman 4.3 names them", () => {
  const plan = planPlay(parseManifests(DEPLOYMENT));
  assert.deepEqual(plan.pods.map((p) => [p.name, p.containers[0]!.name]), [['web-pod-0', 'web-pod-0-srv'], ['web-pod-1', 'web-pod-1-srv']]);
  const [first, second] = plan.pods;
  // A containerPort without hostPort is published on the same port (Podman 4.3), by the first replica only.
  assert.deepEqual(first!.publish, ['8080:8080/tcp']);
  assert.deepEqual(second!.publish, []);
  assert.equal(plan.warnings.length, 1);
  const c = first!.containers[0]!;
  // `command` replaces the image's ENTRYPOINT and CMD.
  assert.deepEqual([c.entrypoint, c.command], [['httpd'], []]);
  assert.deepEqual([c.memory, c.cpus, c.user, c.noNewPrivileges, c.capDrop], [64 * 2 ** 20, 0.5, '1000', true, ['ALL']]);
  assert.deepEqual(c.health, { test: ['CMD', 'true'], intervalSec: 5, retries: 2, onFailure: 'restart' });
  assert.deepEqual([first!.restart, first!.labels, first!.annotations], ['always', { app: 'web' }, { team: 'a' }]);
});

test('ConfigMap and Secret values reach env, envFrom and volume files; a missing key is an error', () => {
  const docs = parseManifests(`kind: ConfigMap
metadata: {name: cm}
data: {a: "1", b: "2"}
---
kind: Secret
metadata: {name: s}
data: {pw: ${Buffer.from('hunter2').toString('base64')}}
---
kind: Pod
metadata: {name: p}
spec:
  containers:
  - name: c
    image: bb
    envFrom: [{configMapRef: {name: cm}, prefix: X_}]
    env: [{name: PW, valueFrom: {secretKeyRef: {name: s, key: pw}}}]
    volumeMounts: [{name: v, mountPath: /etc/v}]
  volumes: [{name: v, configMap: {name: cm, items: [{key: b, path: sub/b.txt}]}}]
`);
  const pod = planPlay(docs).pods[0]!;
  assert.deepEqual(pod.containers[0]!.env, ['X_a=1', 'X_b=2', 'PW=hunter2']);
  assert.deepEqual(pod.fileSets.map((f) => f.files.map((x) => [x.path, x.data.toString(), x.mode])), [[['sub/b.txt', '2', 0o644]]]);
  assert.deepEqual(pod.containers[0]!.mounts, [{ kind: 'files', dir: 'v', target: '/etc/v' }]);
  const bad = DEPLOYMENT.replace('command: [httpd]', 'command: [httpd]\n        env: [{name: X, valueFrom: {configMapKeyRef: {name: nope, key: k}}}]');
  assert.throws(() => planPlay(parseManifests(bad)), /ConfigMap "nope" not found/);
});

test('an unsupported field or kind is refused by its path', () => {
  const withLifecycle = DEPLOYMENT.replace('command: [httpd]', 'command: [httpd]\n        lifecycle: {}');
  assert.throws(() => planPlay(parseManifests(withLifecycle)), { message: 'kube play: spec.template.spec.containers[0].lifecycle is not supported' });
  assert.throws(() => planPlay(parseManifests('kind: StatefulSet\nmetadata: {name: x}\n')), { message: 'kube play: kind StatefulSet is not supported' });
  assert.throws(() => planPlay(parseManifests('kind: Pod\nmetadata: {name: x}\nspec: {containers: [], nodeSelector: {}}\n')), { message: 'kube play: spec.nodeSelector is not supported' });
});

test('the validate hook sees every document before it is read', () => {
  const seen: unknown[] = [];
  planPlay(parseManifests(DEPLOYMENT), { validate: (d) => seen.push(d.kind) });
  assert.deepEqual(seen, ['Deployment']);
});

test('quantities: binary and decimal suffixes, millicores', () => {
  assert.equal(parseQuantity('1Gi', 'x'), 2 ** 30);
  assert.equal(parseQuantity('128M', 'x'), 128e6);
  assert.equal(parseQuantity('250m', 'x'), 0.25);
  assert.equal(parseQuantity(2, 'x'), 2);
  assert.throws(() => parseQuantity('lots', 'limits.memory'), /limits.memory: invalid quantity "lots"/);
});

test('namesOnly (kube down) reads a YAML whose ConfigMaps and Secrets are elsewhere', () => {
  const docs = parseManifests('kind: Pod\nmetadata: {name: p}\nspec:\n  containers: [{name: c, image: bb, envFrom: [{configMapRef: {name: gone}}]}]\n');
  assert.throws(() => planPlay(docs), /ConfigMap "gone" not found/);
  assert.deepEqual(planPlay(docs, { namesOnly: true }).pods.map((p) => p.name), ['p']);
});

test("a DaemonSet's and a Job's one pod is <name>-pod-0; a Job's restartPolicy must not be Always", () => {
  const tpl = 'template:\n    spec:\n      restartPolicy: RP\n      containers: [{name: c, image: bb}]\n';
  const ds = planPlay(parseManifests(`kind: DaemonSet\nmetadata: {name: agent}\nspec:\n  ${tpl.replace('RP', 'Always')}`));
  assert.deepEqual(ds.pods.map((p) => [p.name, p.runToCompletion, p.restart]), [['agent-pod-0', false, 'always']]);
  const job = planPlay(parseManifests(`kind: Job\nmetadata: {name: once}\nspec:\n  ${tpl.replace('RP', 'OnFailure')}`));
  assert.deepEqual(job.pods.map((p) => [p.name, p.runToCompletion, p.restart]), [['once-pod-0', true, 'on-failure']]);
  assert.throws(() => planPlay(parseManifests(`kind: Job\nmetadata: {name: j}\nspec:\n  ${tpl.replace('RP', 'Always')}`)), /a Job's pod must be Never or OnFailure/);
});
