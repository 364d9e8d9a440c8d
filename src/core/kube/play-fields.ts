/**
 * @module core/kube/play-fields
 * The Kubernetes fields `kube play` honours, as a tree: a field not in it is refused by name
 * (`spec.containers[0].lifecycle is not supported`) rather than silently dropped, so a manifest
 * never runs as something other than what it says.
 */
import { invalidArgument } from '../errdefs.js';

/** `true`: the field and everything below it; a map: only these keys (lists are walked item by item). */
export type FieldTree = true | { readonly [key: string]: FieldTree };

const ANY = true;
const REF = { name: ANY, key: ANY, optional: ANY } as const;
const PROBE: FieldTree = {
  exec: { command: ANY },
  httpGet: { path: ANY, port: ANY, host: ANY, scheme: ANY },
  tcpSocket: { port: ANY, host: ANY },
  initialDelaySeconds: ANY, periodSeconds: ANY, timeoutSeconds: ANY, failureThreshold: ANY, successThreshold: ANY,
};

const CONTAINER: FieldTree = {
  name: ANY, image: ANY, imagePullPolicy: ANY, command: ANY, args: ANY, workingDir: ANY,
  env: { name: ANY, value: ANY, valueFrom: { configMapKeyRef: REF, secretKeyRef: REF } },
  envFrom: { prefix: ANY, configMapRef: { name: ANY, optional: ANY }, secretRef: { name: ANY, optional: ANY } },
  ports: { name: ANY, containerPort: ANY, hostPort: ANY, hostIP: ANY, protocol: ANY },
  volumeMounts: { name: ANY, mountPath: ANY, readOnly: ANY },
  livenessProbe: PROBE, readinessProbe: PROBE,
  resources: { limits: { cpu: ANY, memory: ANY }, requests: { cpu: ANY, memory: ANY } },
  securityContext: {
    privileged: ANY, runAsUser: ANY, runAsGroup: ANY, readOnlyRootFilesystem: ANY,
    allowPrivilegeEscalation: ANY, capabilities: { add: ANY, drop: ANY },
  },
  stdin: ANY, tty: ANY, terminationMessagePath: ANY, terminationMessagePolicy: ANY,
};

const VOLUME_ITEMS = { key: ANY, path: ANY, mode: ANY } as const;

export const POD_SPEC: FieldTree = {
  containers: CONTAINER,
  initContainers: CONTAINER,
  restartPolicy: ANY,
  hostname: ANY,
  hostNetwork: ANY,
  hostAliases: { ip: ANY, hostnames: ANY },
  dnsConfig: { nameservers: ANY, searches: ANY, options: { name: ANY, value: ANY } },
  dnsPolicy: ANY,
  terminationGracePeriodSeconds: ANY,
  enableServiceLinks: ANY,
  automountServiceAccountToken: ANY,
  securityContext: { runAsUser: ANY, runAsGroup: ANY, supplementalGroups: ANY },
  volumes: {
    name: ANY,
    persistentVolumeClaim: { claimName: ANY, readOnly: ANY },
    hostPath: { path: ANY, type: ANY },
    emptyDir: { medium: ANY, sizeLimit: ANY },
    configMap: { name: ANY, items: VOLUME_ITEMS, defaultMode: ANY, optional: ANY },
    secret: { secretName: ANY, items: VOLUME_ITEMS, defaultMode: ANY, optional: ANY },
  },
};

const META: FieldTree = { name: ANY, labels: ANY, annotations: ANY, namespace: ANY, creationTimestamp: ANY };
const TEMPLATE: FieldTree = { metadata: META, spec: POD_SPEC };

/** Per kind, the document's top-level tree (apiVersion and kind are always allowed). */
export const KINDS: Readonly<Record<string, FieldTree>> = {
  Pod: { metadata: META, spec: POD_SPEC, status: ANY },
  Deployment: { metadata: META, spec: { replicas: ANY, selector: ANY, template: TEMPLATE, strategy: ANY }, status: ANY },
  DaemonSet: { metadata: META, spec: { selector: ANY, template: TEMPLATE, updateStrategy: ANY }, status: ANY },
  Job: { metadata: META, spec: { template: TEMPLATE, backoffLimit: ANY, completions: ANY, parallelism: ANY }, status: ANY },
  // Podman 4.3 publishes no Service port (measured: a nodePort is not bound); kept for kube down.
  Service: ANY,
  ConfigMap: { metadata: META, data: ANY, binaryData: ANY, immutable: ANY },
  Secret: { metadata: META, data: ANY, stringData: ANY, type: ANY, immutable: ANY },
  PersistentVolumeClaim: { metadata: META, spec: ANY, status: ANY },
};

/** Refuses the first field of `value` outside `tree`, naming its path. */
export function checkFields(value: unknown, tree: FieldTree, path: string): void {
  if (tree === true || value === null || typeof value !== 'object') return;
  if (Array.isArray(value)) {
    value.forEach((v, i) => checkFields(v, tree, `${path}[${i}]`));
    return;
  }
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    const at = path ? `${path}.${k}` : k;
    const sub = tree[k];
    if (sub === undefined) throw invalidArgument(`kube play: ${at} is not supported`);
    checkFields(v, sub, at);
  }
}
