// A hostile registry: a real HTTP server on loopback in front of docker-registry that passes
// every request through, except the paths told to misbehave (a body that never ends, one longer
// than its descriptor, a stall before the headers or in the middle of the body, or a document
// of its own).
import { createHash, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createServer, request, type IncomingMessage, type ServerResponse } from 'node:http';

export type Behaviour =
  /** 200, then random bytes for as long as the client reads */
  | { kind: 'endless' }
  /** the request is read and never answered */
  | { kind: 'stall-headers' }
  /** the registry's headers, `after` bytes of its body, then silence with the connection open */
  | { kind: 'stall-body'; after: number }
  /** the registry's body with `extra` bytes appended (Content-Length to match) */
  | { kind: 'pad'; extra: number }
  /** this document instead of the registry's answer */
  | { kind: 'serve'; contentType: string; body: Buffer };

export interface HostileRegistry {
  host: string;
  /** request path (`/v2/REPO/blobs/DIGEST`) → how to misbehave */
  rules: Map<string, Behaviour>;
  /** method and path of every request seen */
  log: string[];
  close(): Promise<void>;
}

export const sha256 = (b: Buffer) => 'sha256:' + createHash('sha256').update(b).digest('hex');

function misbehave(b: Behaviour, res: ServerResponse, upstream: IncomingMessage | undefined): void {
  switch (b.kind) {
    case 'endless': {
      upstream?.resume();
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      const chunk = randomBytes(64 << 10);
      const pump = () => {
        while (!res.destroyed && res.write(chunk));
        if (!res.destroyed) res.once('drain', pump);
      };
      pump();
      return;
    }
    case 'stall-body': {
      const u = upstream!;
      res.writeHead(u.statusCode ?? 502, u.headers);
      let sent = 0;
      u.on('data', (c: Buffer) => {
        const room = b.after - sent;
        if (room > 0) res.write(c.subarray(0, room));
        sent += c.length;
      });
      return;
    }
    case 'pad': {
      const u = upstream!;
      const chunks: Buffer[] = [];
      u.on('data', (c: Buffer) => chunks.push(c));
      u.on('end', () => {
        const body = Buffer.concat([...chunks, Buffer.alloc(b.extra, 0x20)]);
        const { 'content-length': _drop, ...headers } = u.headers;
        res.writeHead(u.statusCode ?? 502, { ...headers, 'content-length': String(body.length) });
        res.end(body);
      });
      return;
    }
    case 'serve':
      upstream?.resume();
      res.writeHead(200, { 'content-type': b.contentType, 'content-length': String(b.body.length), 'docker-content-digest': sha256(b.body) });
      res.end(b.body);
      return;
    case 'stall-headers':
      upstream?.resume();
      return;
  }
}

export async function startHostile(target: string): Promise<HostileRegistry> {
  const [thost, tport] = target.split(':');
  const rules = new Map<string, Behaviour>();
  const log: string[] = [];
  const server = createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0]!;
    log.push(`${req.method} ${path}`);
    const rule = req.method === 'GET' ? rules.get(path) : undefined;
    if (rule?.kind === 'stall-headers' || rule?.kind === 'serve' || rule?.kind === 'endless') {
      req.resume();
      return misbehave(rule, res, undefined);
    }
    const up = request({ host: thost, port: Number(tport), method: req.method, path: req.url, headers: { ...req.headers, host: target } }, (ures) => {
      if (rule) return misbehave(rule, res, ures);
      const headers = { ...ures.headers };
      if (headers.location) headers.location = headers.location.replace(target, req.headers.host ?? target);
      res.writeHead(ures.statusCode ?? 502, headers);
      ures.pipe(res);
    });
    up.on('error', () => res.destroy());
    req.pipe(up);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as { port: number }).port;
  return {
    host: `127.0.0.1:${port}`,
    rules,
    log,
    close: () => {
      // Stalled and endless responses hold their connections open: cut them.
      server.closeAllConnections();
      return new Promise((r) => server.close(() => r()));
    },
  };
}

/** A manifest as docker-registry at `host` holds it, with its digest. */
export async function registryManifest(host: string, repo: string, tag: string): Promise<{ bytes: Buffer; digest: string; doc: { config: { digest: string; size: number }; layers: { digest: string; size: number }[] } }> {
  const res = await fetch(`http://${host}/v2/${repo}/manifests/${tag}`, {
    headers: { accept: 'application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json' },
  });
  if (!res.ok) throw new Error(`manifest ${host}/${repo}:${tag}: HTTP ${res.status}`);
  const bytes = Buffer.from(await res.arrayBuffer());
  return { bytes, digest: sha256(bytes), doc: JSON.parse(bytes.toString('utf8')) };
}
