/**
 * Podman's `GET /libpod/generate/kube?names=…&service=…` (4.3's bindings; `type` from 4.5), so
 * `podman --remote kube generate` works against the service: the YAML as the response body.
 */
import type { Router } from '../router.js';
import { boolParam, mustRes } from '../call.js';
import { invalidArgument } from '../../core/errdefs.js';

const TYPES = ['pod', 'deployment', 'daemonset'] as const;

export function registerKubeGenerateRoutes(r: Router): void {
  r.get('/libpod/generate/kube', async (c) => {
    const type = c.query.get('type') || 'pod';
    if (!(TYPES as readonly string[]).includes(type)) throw invalidArgument(`invalid type "${type}": use pod, deployment or daemonset`);
    const { yaml } = await c.engine.kubeGenerate(c.query.getAll('names'), { service: boolParam(c.query, 'service'), type: type as (typeof TYPES)[number] });
    const res = mustRes(c);
    const body = Buffer.from(yaml);
    res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': body.length });
    res.end(body);
  });
}
