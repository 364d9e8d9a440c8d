/**
 * `docker://HOST/REPO[:TAG|@DIGEST]`: a repository on a registry, through the same client,
 * registries.conf rules (mirrors, blocked, insecure) and credentials as pull and push.
 */
import { Readable } from 'node:stream';
import type { Descriptor } from '../../../core/content/content.js';
import { EngineError, invalidArgument, isEngineError } from '../../../core/errdefs.js';
import { MediaType } from '../../../core/images/oci.js';
import { formatReference, normalizeReference, repositoryOf, type Reference } from '../../../core/images/reference.js';
import type { Resolved } from '../../../core/remotes/remotes.js';
import { checkConfig, checkIndex, checkManifest, parseJson } from '../../../impl/archive/documents.js';
import {
  expandShortName,
  loadRegistriesConf,
  pullSources,
  pushTarget,
  type Registries,
  type RegistriesConf,
  type RemoteRepository,
  type Source,
} from '../../../impl/registry/index.js';
import { registriesFor } from '../remote-common.js';
import type { RemoteOptions } from '../remote-types.js';
import { choosePlatform } from './platform.js';
import { checkImageAllowed } from '../../../impl/trust/evaluate.js';
import { readAttachments } from '../../../impl/trust/sigstore-attachments.js';
import { loadPolicy } from '../../../impl/trust/policy.js';
import { loadRegistriesD } from '../../../impl/trust/registries-d.js';
import { signManifest, wantsSignature, type SignOptions } from '../sign.js';
import { deferred } from './streams.js';
import type { BlobOutcome, DestinationWriter, FinalManifest, ImageDestination, ImageSource, SourceImage } from './types.js';

const isIndex = (mt: string) => mt === MediaType.OciIndex || mt === MediaType.DockerManifestList;
const isSchema1 = (mt: string) => mt === MediaType.DockerSchema1 || mt === MediaType.DockerSchema1Signed;

export interface RemoteTop {
  ref: Reference;
  remote: RemoteRepository;
  source: Source;
  /** the document the reference names: an index or a manifest */
  top: Resolved;
}

/**
 * The first place that has the image, in registries.conf's order: each name a short name
 * stands for, and for each its mirrors before its location. The last error is the one shown
 * when a single place was tried; otherwise every place's error is listed.
 */
export async function resolveRemote(registries: Registries, input: string, conf: RegistriesConf = loadRegistriesConf()): Promise<RemoteTop> {
  const errors: { where: string; error: unknown }[] = [];
  for (const ref of expandShortName(conf, input.replace(/^docker:\/\//, ''))) {
    let sources: Source[];
    try {
      sources = pullSources(conf, ref);
    } catch (e) {
      errors.push({ where: formatReference(ref), error: e });
      continue;
    }
    for (const source of sources) {
      const remote = registries.repository(source.host, source.path, false, source.insecure);
      try {
        return { ref, remote, source, top: await remote.resolve(ref.digest ?? ref.tag!) };
      } catch (e) {
        errors.push({ where: `${source.host}/${source.path}`, error: e });
      }
    }
  }
  const last = errors.at(-1)!.error;
  if (errors.length === 1) throw last;
  const detail = errors.map((x) => `${x.where}: ${(x.error as Error).message}`).join('; ');
  throw new EngineError(isEngineError(last) ? last.code : 'Unavailable', `${input}: every registry failed: ${detail}`, { cause: last });
}

/** The single-platform manifest a resolved reference leads to (through its index, if it is one). */
export async function manifestOf(r: RemoteTop, platform: string | undefined): Promise<Resolved> {
  const what = formatReference(r.ref);
  const mt = r.top.descriptor.mediaType;
  if (isSchema1(mt)) throw invalidArgument(`${what}: Docker schema 1 manifests are not supported; push the image again with a current client`);
  if (!isIndex(mt)) return r.top;
  const index = checkIndex(parseJson(r.top.bytes, what), what);
  const chosen = choosePlatform(index.manifests, platform, what);
  return r.remote.fetchManifest(chosen.digest, chosen.size);
}

export class RegistrySource implements ImageSource {
  private readonly registries: Registries;
  private remote?: RemoteRepository;

  constructor(
    readonly description: string,
    private readonly ref: string,
    private readonly opts: RemoteOptions & { platform?: string; signaturePolicy?: string; registriesDir?: string },
  ) {
    this.registries = registriesFor(opts);
  }

  async image(): Promise<SourceImage> {
    // As skopeo: a registry image is checked against the signature policy before any blob is
    // read. Other sources are not (skiff has no policy scopes for paths and archives yet).
    const policy = loadPolicy(this.opts.signaturePolicy);
    const r = await resolveRemote(this.registries, this.ref);
    await checkImageAllowed(policy, () => loadRegistriesD(this.opts.registriesDir), {
      ref: r.ref,
      manifest: r.top.bytes,
      digest: r.top.descriptor.digest,
      sigstoreSignatures: () => readAttachments(r.remote, r.top.descriptor.digest),
    });
    this.remote = r.remote;
    const what = formatReference(r.ref);
    const doc = await manifestOf(r, this.opts.platform);
    const parsed = checkManifest(parseJson(doc.bytes, what), what);
    // Every size the manifest claims is checked before the first blob is asked for.
    for (const l of parsed.layers) r.remote.checkSize(l, `layer ${l.digest} of ${what}`);
    const config = await r.remote.fetchDocument(parsed.config, `config of ${what}`);
    const byTag = r.ref.tag !== undefined && r.ref.digest === undefined;
    return {
      manifest: { bytes: doc.bytes, mediaType: doc.descriptor.mediaType, digest: doc.descriptor.digest },
      parsed,
      config,
      parsedConfig: checkConfig(parseJson(config, `config of ${what}`), `config of ${what}`),
      ...(byTag ? { name: what } : {}),
      repoDigest: { repo: repositoryOf(r.ref), digest: r.top.descriptor.digest },
      registry: { host: r.source.host, repo: r.source.path },
    };
  }

  async open(desc: Descriptor): Promise<Readable> {
    if (!this.remote) throw new Error('RegistrySource.open before image()');
    return (await this.remote.fetch(desc)).stream;
  }

  async close(): Promise<void> {
    this.registries.close();
  }
}

export class RegistryDestination implements ImageDestination {
  readonly layers = 'compressed' as const;
  readonly ociOnly = false;
  readonly parallel = 3;
  private readonly ref: Reference;

  constructor(
    readonly description: string,
    ref: string,
    private readonly opts: RemoteOptions & { sign?: SignOptions },
  ) {
    this.ref = normalizeReference(ref);
  }

  async write<T>(image: SourceImage, body: (w: DestinationWriter) => Promise<T>): Promise<T> {
    const registries = registriesFor(this.opts);
    try {
      const where = pushTarget(loadRegistriesConf(), this.ref);
      const remote = registries.repository(where.host, where.path, true, where.insecure);
      // A blob the source repository holds on this same registry is mounted, not sent again.
      const from = image.registry;
      const mountFrom = from && from.host === where.host && from.repo !== where.path ? from.repo : undefined;
      const putBlob = async (desc: Descriptor, open: () => Promise<Readable>): Promise<BlobOutcome> => {
        if (mountFrom && (await remote.mount(desc, mountFrom))) return 'mounted';
        await remote.upload(desc, () => deferred(open));
        return 'written';
      };
      return await body({
        has: (desc) => remote.exists(desc),
        putBlob,
        putManifest: async (m: FinalManifest) => {
          const cfg = m.manifest.config;
          if (!(await remote.exists(cfg))) await putBlob(cfg, async () => Readable.from([m.config]));
          if (this.ref.digest !== undefined && this.ref.digest !== m.digest) {
            throw invalidArgument(`${this.description}: the manifest copied is ${m.digest}, not the digest given`);
          }
          const sign = this.opts.sign;
          const signature = wantsSignature(sign) ? await signManifest({ ref: this.ref, repo: remote, name: `${where.host}/${where.path}` }, m.digest, sign) : undefined;
          const digest = await remote.putManifest(this.ref.digest ?? this.ref.tag!, m.mediaType, m.bytes);
          return { digest, ...(signature ? { signature: await signature.write() } : {}) };
        },
      });
    } finally {
      registries.close();
    }
  }
}
