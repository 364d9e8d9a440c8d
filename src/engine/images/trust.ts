/**
 * `image trust show`: the signature policy in force, one row per scope as Podman lists it
 * (default first, then the docker scopes, then other transports), with the lookaside store
 * registries.d names for it and the user IDs of its keys. `image trust set`: one scope changed.
 */
import { readFileSync } from 'node:fs';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { setTrust, type TrustSetType } from '../../impl/trust/policy-edit.js';
import { loadPolicy, policyPath, SKIFF_POLICY, type Requirement } from '../../impl/trust/policy.js';
import { loadRegistriesD, lookasideForScope } from '../../impl/trust/registries-d.js';
import { readKeys } from '../../impl/trust/simple-signing.js';

export interface TrustEntry {
  /** "all" for the default, "repository" for a docker scope, else the transport's name */
  transport: string;
  /** the scope ("default" for the default requirements) */
  name: string;
  /** accept, reject, signed, sigstoreSigned: the first requirement's, as Podman shows it */
  type: string;
  /** e-mail addresses (else user IDs) of the keys a signed scope trusts */
  gpgId: string[];
  /** the lookaside store registries.d sets for the scope, else default-docker's */
  store?: string;
}

const TYPE: Record<Requirement['type'], string> = { insecureAcceptAnything: 'accept', reject: 'reject', signedBy: 'signed', sigstoreSigned: 'sigstoreSigned' };

async function keyIds(r: Requirement): Promise<string[]> {
  // Podman 4.3 shows no identity for sigstore public keys, only this
  if (r.type === 'sigstoreSigned') return ['N/A'];
  if (r.type !== 'signedBy') return [];
  const sources = r.keyData !== undefined ? [{ bytes: Buffer.from(r.keyData, 'base64'), what: 'keyData' }] : r.keyPaths!.map((p) => ({ bytes: readFileSync(p), what: p }));
  const out: string[] = [];
  for (const s of sources) {
    const { keys } = await readKeys(s.bytes, s.what);
    for (const k of keys as { getUserIDs(): string[] }[]) {
      for (const uid of k.getUserIDs()) out.push(/<([^>]+)>/.exec(uid)?.[1] ?? uid);
    }
  }
  return out;
}

export interface TrustShow {
  /** the policy file read (none: skiff's built-in accept-anything) */
  file?: string;
  /** its text, for --raw */
  raw?: string;
  entries: TrustEntry[];
}

export async function trustShow(opts: { policy?: string; registriesDir?: string } = {}): Promise<TrustShow> {
  const policy = loadPolicy(opts.policy);
  const conf = loadRegistriesD(opts.registriesDir);
  const entries: TrustEntry[] = [];
  const row = async (transport: string, name: string, reqs: Requirement[], docker: boolean) => {
    const first = reqs[0]!;
    const e: TrustEntry = { transport, name, type: TYPE[first.type], gpgId: [] };
    for (const r of reqs) e.gpgId.push(...(await keyIds(r).catch(() => [])));
    // As Podman: every row shows the store its scope (else default-docker) names, whatever the type.
    const store = lookasideForScope(conf, docker ? name : '');
    if (store) e.store = store;
    entries.push(e);
  };
  await row('all', 'default', policy.default, false);
  const docker = policy.transports.docker ?? {};
  for (const scope of Object.keys(docker).sort()) await row('repository', scope, docker[scope]!, true);
  for (const [t, scopes] of Object.entries(policy.transports)) {
    if (t === 'docker') continue;
    for (const scope of Object.keys(scopes).sort()) await row(t, scope, scopes[scope]!, false);
  }
  const file = policyPath(opts.policy);
  return { ...(file ? { file, raw: readFileSync(file, 'utf8') } : {}), entries };
}

export interface TrustSetOptions {
  type: TrustSetType;
  /** public key files: GPG for signedBy, sigstore PEM for sigstoreSigned */
  pubkeysfiles?: string[];
  /** the policy file to change (default: the one in force, else /etc/skiff/policy.json) */
  policy?: string;
}

/** Sets `scope`'s requirement and returns the file written (replaced whole through a rename). */
export async function trustSet(scope: string, opts: TrustSetOptions): Promise<string> {
  const file = policyPath(opts.policy) ?? SKIFF_POLICY;
  let current: string | undefined;
  try {
    current = await readFile(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  const text = setTrust(current, scope, opts.type, opts.pubkeysfiles ?? [], file);
  await mkdir(dirname(file), { recursive: true });
  const tmp = `${file}.tmp-${process.pid}`;
  await writeFile(tmp, text, { mode: 0o644 });
  await rename(tmp, file);
  return file;
}
