import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createSecureContext, rootCertificates, type SecureContext } from 'node:tls';
import { invalidArgument } from '../../core/errdefs.js';

/** Where podman looks for HOST:PORT directories, in order; the first holding one wins. */
export const PER_HOST_CERT_DIRS = ['/etc/containers/certs.d', '/etc/docker/certs.d'];
const SYSTEM_BUNDLE = '/etc/ssl/certs/ca-certificates.crt';

/** One registry's TLS set-up, as containers/image reads a certs.d directory. */
export interface RegistryTls {
  /** the directory the files come from (or would: named in hints when none exists) */
  dir: string;
  /** the client certificate presented, when the directory holds a pair */
  clientCert?: string;
  /** absent: Node's own CA store is enough and nothing is presented */
  context?: SecureContext;
}

/**
 * `--cert-dir DIR` holds the files itself (podman, skopeo); otherwise HOST:PORT below
 * $SKIFF_CERTS_D, or below /etc/containers/certs.d then /etc/docker/certs.d.
 */
export function certDirFor(host: string, certDir?: string, env: NodeJS.ProcessEnv = process.env): string {
  if (certDir) return certDir;
  const bases = env.SKIFF_CERTS_D ? [env.SKIFF_CERTS_D] : PER_HOST_CERT_DIRS;
  return bases.map((b) => join(b, host)).find((d) => existsSync(d)) ?? join(bases[0]!, host);
}

interface Material {
  ca: Buffer[];
  cert?: { path: string; data: Buffer };
  key?: Buffer;
}

/** `*.crt` are CAs; `NAME.cert` and `NAME.key` a client pair, neither valid alone (containers/image's rule). */
function readMaterial(dir: string): Material {
  const out: Material = { ca: [] };
  if (!existsSync(dir)) return out;
  const files = readdirSync(dir).sort();
  const read = (f: string) => {
    try {
      return readFileSync(join(dir, f));
    } catch (e) {
      throw invalidArgument(`reading ${join(dir, f)}: ${(e as Error).message}`, e);
    }
  };
  for (const f of files) {
    if (f.endsWith('.crt')) out.ca.push(read(f));
    else if (f.endsWith('.cert')) {
      const key = f.slice(0, -'.cert'.length) + '.key';
      if (!files.includes(key)) throw invalidArgument(`missing key ${key} for client certificate ${join(dir, f)}`);
      // Node presents one pair; the first by name, where Go would choose among several.
      if (!out.cert) {
        out.cert = { path: join(dir, f), data: read(f) };
        out.key = read(key);
      }
    } else if (f.endsWith('.key')) {
      const cert = f.slice(0, -'.key'.length) + '.cert';
      if (!files.includes(cert)) throw invalidArgument(`missing client certificate ${cert} for key ${join(dir, f)}`);
    }
  }
  return out;
}

const pemBody = (pem: string) => pem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, '');
let systemExtra: string[] | undefined;

/** The system bundle's CAs that Node's own store lacks (certificates an admin added with update-ca-certificates). */
export function systemExtraCas(): string[] {
  if (systemExtra) return systemExtra;
  let bundle = '';
  try {
    bundle = readFileSync(SYSTEM_BUNDLE, 'utf8');
  } catch {
    // No bundle: Node's store is all there is.
  }
  const known = new Set(rootCertificates.map(pemBody));
  const pems = bundle.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  return (systemExtra = pems.filter((p) => !known.has(pemBody(p))));
}

/**
 * A TLS context trusting Node's roots plus `extra` CAs (never instead of them: `ca` alone would
 * replace the defaults) and presenting the client pair. Building one parses every root (tens of
 * milliseconds), so registries needing nothing special get none.
 */
function contextOf(m: Material, extra: (string | Buffer)[], dir: string): SecureContext {
  try {
    return createSecureContext({
      ca: [...rootCertificates, ...extra, ...m.ca],
      ...(m.cert && m.key ? { cert: m.cert.data, key: m.key } : {}),
    });
  } catch (e) {
    throw invalidArgument(`loading the certificates in ${dir}: ${(e as Error).message}`, e);
  }
}

/**
 * The TLS set-up for `host`. `withSystem` also trusts the system bundle's extra CAs: tried
 * after Node's store alone refused a certificate, so the common case parses no bundle.
 */
export function registryTls(host: string, certDir?: string, withSystem = false, env: NodeJS.ProcessEnv = process.env): RegistryTls {
  const dir = certDirFor(host, certDir, env);
  const m = readMaterial(dir);
  const extra = withSystem ? systemExtraCas() : [];
  const needed = m.ca.length > 0 || !!m.cert || extra.length > 0;
  return {
    dir,
    ...(m.cert ? { clientCert: m.cert.path } : {}),
    ...(needed ? { context: contextOf(m, extra, dir) } : {}),
  };
}
