import type { Descriptor, Platform } from '../../core/content/content.js';
import { invalidArgument, isEngineError, notFound, EngineError } from '../../core/errdefs.js';
import { crashPoint } from '../../sys/crash-point.js';
import { hostPlatform, MediaType } from '../../core/images/oci.js';
import { familiarName, formatReference, repositoryOf } from '../../core/images/reference.js';
import { checkConfig, checkIndex, checkManifest, parseJson } from '../../impl/archive/documents.js';
import { expandShortName, isIdleTimeout, loadRegistriesConf, pullSources, type Registries, type RegistriesConf, type RemoteRepository } from '../../impl/registry/index.js';
import type { Reference } from '../../core/images/reference.js';
import type { Resolved } from '../../core/remotes/remotes.js';
import type { LayerRecord } from '../../impl/metadata/records.js';
import { checkImageAllowed } from '../../impl/trust/evaluate.js';
import { loadPolicy } from '../../impl/trust/policy.js';
import { readAttachments } from '../../impl/trust/sigstore-attachments.js';
import { loadRegistriesD } from '../../impl/trust/registries-d.js';
import type { EngineContext } from '../context.js';
import { removeBlobsIfUnused } from '../gc.js';
import { commitImage, retryOnLostRace } from './commit.js';
import { ensureLayer, type LayerBlob } from './layer-apply.js';
import { LiveBlob, LiveBlobUnavailable } from './live-blob.js';
import { imageEvent } from './events.js';
import { Lease } from './lease.js';
import { mapLimit, parsePlatform, registriesFor, shortId } from './remote-common.js';
import type { ImagePullOptions, ImagePullResult, ProgressListener } from './remote-types.js';

const PARALLEL_DOWNLOADS = 3;
const DOWNLOAD_ATTEMPTS = 4;

const isIndex = (mt: string) => mt === MediaType.OciIndex || mt === MediaType.DockerManifestList;
const isSchema1 = (mt: string) => mt === MediaType.DockerSchema1 || mt === MediaType.DockerSchema1Signed;

function choosePlatform(entries: Descriptor[], want: Platform, what: string): Descriptor {
  const match = entries.filter(
    (d) =>
      d.platform?.os === want.os &&
      d.platform.architecture === want.architecture &&
      (want.variant === undefined || d.platform.variant === want.variant),
  );
  if (match.length === 0) {
    const have = entries.map((d) => [d.platform?.os, d.platform?.architecture, d.platform?.variant].filter(Boolean).join('/'));
    const p = [want.os, want.architecture, want.variant].filter(Boolean).join('/');
    throw notFound(`${what}: no image for platform ${p} (the index has ${have.join(', ') || 'none'})`);
  }
  return match[0]!;
}

interface Counter {
  blobs: number;
  bytes: number;
}

/** What every blob download of one pull shares. */
interface Transfer {
  ctx: EngineContext;
  remote: RemoteRepository;
  onProgress: ProgressListener;
  count: Counter;
  /** set when the pull failed elsewhere: the other downloads stop */
  stop: { reason?: unknown };
}

/**
 * Streams one blob into the content store under a stable ingest ref, so a pull killed midway
 * leaves its bytes for the next one to resume with a Range request. The writer's commit
 * checks the digest: a blob that does not match never becomes visible.
 */
async function download(t: Transfer, desc: Descriptor, live: LiveBlob | undefined): Promise<void> {
  try {
    if (await downloadInto(t, desc, live)) live?.finish();
    else live?.fail(new LiveBlobUnavailable('stored by another pull'));
  } catch (e) {
    live?.fail(e);
    throw e;
  }
}

/** False when another pull stored the blob while this one waited for the ingest's lock. */
async function downloadInto({ ctx, remote, onProgress, count, stop }: Transfer, desc: Descriptor, live: LiveBlob | undefined): Promise<boolean> {
  const id = shortId(desc.digest);
  const ref = `pull-${desc.digest}`;
  let w = await ctx.content.writer(ref);
  try {
    if (ctx.content.has(desc.digest)) {
      await w.abort();
      return false;
    }
    let held = w.offset;
    if (held > desc.size) {
      await w.abort();
      w = await ctx.content.writer(ref);
      held = 0;
    }
    live?.attach(w);
    const resumedFrom = held;
    let last = 0;
    for (let attempt = 1; held < desc.size || attempt === 1; attempt++) {
      try {
        const { stream, start } = await remote.fetch(desc, { offset: held });
        if (start !== held) {
          // The registry ignored the range: what is held cannot be continued.
          await w.abort();
          w = await ctx.content.writer(ref);
          held = 0;
          live?.attach(w);
        }
        onProgress({ type: 'layer', id, status: 'downloading', current: held, total: desc.size, ...(resumedFrom ? { resumedFrom } : {}) });
        for await (const chunk of stream as AsyncIterable<Buffer>) {
          if (stop.reason !== undefined) {
            // The pull failed elsewhere. A network failure leaves this part for a resume; a
            // refused image leaves nothing.
            stream.destroy();
            if (!isEngineError(stop.reason) || stop.reason.code !== 'Unavailable') await w.abort();
            throw stop.reason;
          }
          await w.write(chunk);
          held += chunk.length;
          live?.wrote(chunk);
          count.bytes += chunk.length;
          if (Date.now() - last > 100) {
            last = Date.now();
            onProgress({ type: 'layer', id, status: 'downloading', current: held, total: desc.size });
          }
        }
        if (held >= desc.size) break;
        throw Object.assign(new Error(`connection closed after ${held} of ${desc.size} bytes`), { code: 'ECONNRESET' });
      } catch (e) {
        if (stop.reason !== undefined) throw stop.reason;
        // A silent registry would only be waited for again; what is held stays for a resume.
        if (isIdleTimeout(e)) throw e;
        if (isEngineError(e) && e.code !== 'Unavailable') {
          // Refused (a body longer than its descriptor): nothing of it is worth resuming.
          await w.abort();
          throw e;
        }
        if (attempt >= DOWNLOAD_ATTEMPTS) {
          throw new EngineError('Unavailable', `downloading ${desc.digest} from ${remote.repo}: ${(e as Error).message}`, { cause: e });
        }
        await new Promise((r) => setTimeout(r, 200 * 2 ** (attempt - 1)));
      }
    }
    onProgress({ type: 'layer', id, status: 'verifying', current: held, total: desc.size });
    try {
      await w.commit({ digest: desc.digest, size: desc.size });
    } catch (e) {
      throw invalidArgument(`blob ${desc.digest} from ${remote.repo} refused: its content does not match its digest`, e);
    }
  } finally {
    // Whatever way this ends, the ingest's lock goes (a no-op after commit or abort).
    await w.release();
  }
  count.blobs++;
  return true;
}

/**
 * Layer `blob` on top of `parent`: unpacked from its download as it arrives when `live` is
 * there, else from the stored blob once `stored` settles. Either way the layer is findable
 * only after the blob's digest and the layer's diffID matched.
 */
async function applyLayer(
  ctx: EngineContext,
  lease: Lease,
  parent: LayerRecord | null,
  blob: LayerBlob,
  stored: Promise<void>,
  live: LiveBlob | undefined,
  onProgress: ProgressListener,
): Promise<LayerRecord> {
  const id = shortId(blob.digest);
  if (live?.claim()) {
    let applied = false;
    // Docker's order: the download is verified, then the rest of the layer is extracted.
    stored.then(
      () => applied || onProgress({ type: 'layer', id, status: 'extracting', total: blob.size }),
      () => undefined,
    );
    try {
      const layer = await ensureLayer(ctx, lease, parent, blob, { open: () => live.read(), stored });
      applied = true;
      await stored;
      onProgress({ type: 'layer', id, status: 'done', total: blob.size });
      return layer;
    } catch (e) {
      applied = true;
      if (!(e instanceof LiveBlobUnavailable)) throw e;
    }
  }
  await stored;
  onProgress({ type: 'layer', id, status: 'extracting', total: blob.size });
  const layer = await ensureLayer(ctx, lease, parent, blob);
  onProgress({ type: 'layer', id, status: 'done', total: blob.size });
  return layer;
}

/**
 * The first place that has the image, as registries.conf orders them: each candidate the
 * name stands for (alias, search registries), and for each its mirrors before its location.
 * A mirror's failure falls through to the next place; the last error is kept for the user.
 */
async function resolveFirst(
  conf: RegistriesConf,
  registries: Registries,
  input: string,
): Promise<{ ref: Reference; remote: RemoteRepository; top: Resolved }> {
  const candidates = expandShortName(conf, input);
  const errors: { where: string; error: unknown }[] = [];
  for (const ref of candidates) {
    let sources;
    try {
      sources = pullSources(conf, ref);
    } catch (e) {
      errors.push({ where: formatReference(ref), error: e });
      continue;
    }
    for (const s of sources) {
      const remote = registries.repository(s.host, s.path, false, s.insecure);
      try {
        return { ref, remote, top: await remote.resolve(ref.digest ?? ref.tag!) };
      } catch (e) {
        errors.push({ where: `${s.host}/${s.path}`, error: e });
      }
    }
  }
  const last = errors.at(-1)!.error;
  if (errors.length === 1) throw last;
  const detail = errors.map((x) => `${x.where}: ${(x.error as Error).message}`).join('; ');
  const code = isEngineError(last) ? last.code : 'Unavailable';
  throw new EngineError(code, `pulling ${input}: every registry failed: ${detail}`, { cause: last });
}

/**
 * `pull`: resolve → (platform choice) → manifest → config → layer blobs downloaded into the
 * content store, several at once, none fetched that the store already has, each unpacked in
 * the same pass as it arrives (in order, through the layer store's chain-ID dedup) and made
 * findable only once its digest and diffID matched → image recorded with its RepoDigest.
 * A failure leaves nothing of the image behind but resumable ingests.
 */
export async function pullImage(
  ctx: EngineContext,
  input: string,
  opts: ImagePullOptions = {},
  onProgress: ProgressListener = () => undefined,
): Promise<ImagePullResult> {
  const registries = registriesFor(opts);
  try {
    return await pullWith(ctx, registries, input, opts, onProgress);
  } finally {
    registries.close();
  }
}

async function pullWith(
  ctx: EngineContext,
  registries: Registries,
  input: string,
  opts: ImagePullOptions = {},
  onProgress: ProgressListener = () => undefined,
): Promise<ImagePullResult> {
  // A broken policy file refuses the pull before anything is fetched.
  const policy = loadPolicy(opts.signaturePolicy);
  const { ref, remote, top } = await resolveFirst(loadRegistriesConf(), registries, input);
  const what = formatReference(ref);
  // Before the first blob: a refused image leaves nothing in the store. The signed digest is
  // the top-level document's (an index's, for a multi-platform image), as containers/image.
  await checkImageAllowed(policy, () => loadRegistriesD(opts.registriesDir), {
    ref,
    manifest: top.bytes,
    digest: top.descriptor.digest,
    sigstoreSignatures: () => readAttachments(remote, top.descriptor.digest),
  });
  onProgress({ type: 'resolved', name: what, digest: top.descriptor.digest });
  let doc = top;
  if (isSchema1(doc.descriptor.mediaType)) {
    throw invalidArgument(`${what}: Docker schema 1 manifests are not supported; push the image again with a current client`);
  }
  if (isIndex(doc.descriptor.mediaType)) {
    const index = checkIndex(parseJson(doc.bytes, what), what);
    const want = opts.platform ? parsePlatform(opts.platform) : hostPlatform();
    const chosen = choosePlatform(index.manifests, want, what);
    doc = await remote.fetchManifest(chosen.digest, chosen.size);
  }
  const manifest = checkManifest(parseJson(doc.bytes, what), what);
  // Every size the manifest claims is checked before the first blob is asked for.
  remote.checkSize(manifest.config, `config of ${what}`, true);
  for (const l of manifest.layers) remote.checkSize(l, `layer ${l.digest} of ${what}`);
  const count: Counter = { blobs: 0, bytes: 0 };
  const written = new Set<string>();
  const note = (d: string) => {
    if (!ctx.content.has(d)) written.add(d);
  };
  try {
    const id = await Lease.with(ctx, async (lease) => {
      lease.blob(manifest.config.digest);
      let configBytes: Buffer;
      if (ctx.content.has(manifest.config.digest)) {
        configBytes = await ctx.content.readBytes(manifest.config.digest);
      } else {
        configBytes = await remote.fetchDocument(manifest.config, `config of ${what}`);
        note(manifest.config.digest);
        await ctx.content.put(configBytes, { digest: manifest.config.digest });
        count.blobs++;
        count.bytes += configBytes.length;
      }
      crashPoint('pull:config');
      const config = checkConfig(parseJson(configBytes, `${what} config`), `${what} config`);
      if (opts.platform) {
        const p = parsePlatform(opts.platform);
        if (config.os !== p.os || config.architecture !== p.architecture) {
          throw notFound(`${what}: the image is ${config.os}/${config.architecture}, not ${opts.platform}`);
        }
      }
      if (config.rootfs.diff_ids.length !== manifest.layers.length) {
        throw invalidArgument(`${what}: manifest has ${manifest.layers.length} layers, config lists ${config.rootfs.diff_ids.length}`);
      }
      for (const l of manifest.layers) {
        lease.blob(l.digest);
        onProgress({ type: 'layer', id: shortId(l.digest), status: ctx.content.has(l.digest) ? 'exists' : 'waiting', total: l.size });
      }
      // Each distinct blob once, in manifest order, several at a time; each layer is unpacked
      // while its blob downloads, as soon as the layer below it is complete.
      const blobs = [...new Map(manifest.layers.map((l) => [l.digest, l])).values()];
      const lives = new Map(blobs.filter((l) => !ctx.content.has(l.digest)).map((l) => [l.digest, new LiveBlob()]));
      const stop: { reason?: unknown } = {};
      const transfer: Transfer = { ctx, remote, onProgress, count, stop };
      const { results, settled } = mapLimit(blobs, PARALLEL_DOWNLOADS, async (l) => {
        const live = lives.get(l.digest);
        if (stop.reason !== undefined) throw stop.reason;
        if (ctx.content.has(l.digest)) {
          // Another pull stored it meanwhile: read it from the store.
          live?.fail(new LiveBlobUnavailable('stored by another pull'));
          return;
        }
        note(l.digest);
        await download(transfer, l, live);
      });
      const stored = new Map(blobs.map((l, i) => [l.digest, results[i]!]));
      const abort = (e: unknown) => {
        stop.reason ??= e;
        for (const live of lives.values()) live.fail(e);
      };
      for (const r of results) r.catch(abort);
      try {
        return await retryOnLostRace(async () => {
          const layers: LayerRecord[] = [];
          for (const [i, l] of manifest.layers.entries()) {
            const blob = { digest: l.digest, mediaType: l.mediaType, size: l.size, diffId: config.rootfs.diff_ids[i]! };
            layers.push(await applyLayer(ctx, lease, layers.at(-1) ?? null, blob, stored.get(l.digest)!, lives.get(l.digest), onProgress));
          }
          for (const r of results) await r;
          crashPoint('pull:layers');
          return commitImage(ctx, lease, {
            config: configBytes,
            layers,
            layerBlobs: manifest.layers,
            manifest: { bytes: doc.bytes, mediaType: doc.descriptor.mediaType },
            names: ref.tag !== undefined && ref.digest === undefined ? [what] : [],
            digests: [{ repo: repositoryOf(ref), digest: top.descriptor.digest }],
          });
        });
      } catch (e) {
        // Downloads still running stop at their next chunk and keep what they hold for a resume.
        abort(e);
        await settled;
        throw e;
      }
    });
    imageEvent(ctx, 'pull', familiarName(what));
    return {
      id,
      ...(ref.tag !== undefined && ref.digest === undefined ? { name: what } : {}),
      digest: top.descriptor.digest,
      downloadedBlobs: count.blobs,
      downloadedBytes: count.bytes,
    };
  } catch (e) {
    removeBlobsIfUnused(ctx, written);
    throw e;
  }
}
