import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import type { Readable } from 'node:stream';
import { dockerignoreCandidates, IgnoreMatcher, parseDockerignore } from '../../core/build/index.js';
import { invalidArgument, notFound } from '../../core/errdefs.js';
import { applyTar } from '../../impl/layers/tar-apply.js';
import { resolveInRoot } from '../containers/scoped-path.js';
import type { BuildOptions } from './types.js';

/** The build context as a directory on this host, with its Dockerfile and .dockerignore read. */
export interface BuildContext {
  root: string;
  dockerfile: string;
  /** Name for error messages (`Containerfile:3: ...`). */
  dockerfileName: string;
  ignore?: IgnoreMatcher;
}

const TAR_MAGIC_OFFSET = 257;

function looksLikeArchive(head: Buffer): boolean {
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) return true;
  if (head.length >= 4 && head.readUInt32BE(0) === 0x28b52ffd) return true;
  return head.length >= TAR_MAGIC_OFFSET + 5 && head.subarray(TAR_MAGIC_OFFSET, TAR_MAGIC_OFFSET + 5).toString('latin1') === 'ustar';
}

/** The stream's first bytes (up to one tar header), and the stream again with them put back. */
async function peek(stream: Readable, want: number): Promise<{ head: Buffer; rest: AsyncIterable<Buffer> }> {
  const it = (stream as AsyncIterable<Buffer>)[Symbol.asyncIterator]();
  const chunks: Buffer[] = [];
  let len = 0;
  let done = false;
  while (len < want) {
    const r = await it.next();
    if (r.done) {
      done = true;
      break;
    }
    const c = Buffer.isBuffer(r.value) ? r.value : Buffer.from(r.value as Uint8Array);
    chunks.push(c);
    len += c.length;
  }
  const head = Buffer.concat(chunks);
  async function* rest(): AsyncGenerator<Buffer> {
    yield head;
    if (done) return;
    for (;;) {
      const r = await it.next();
      if (r.done) return;
      yield Buffer.isBuffer(r.value) ? r.value : Buffer.from(r.value as Uint8Array);
    }
  }
  return { head, rest: rest() };
}

async function readAll(it: AsyncIterable<Buffer>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of it) chunks.push(c);
  return Buffer.concat(chunks);
}

function readIgnore(root: string, dockerfilePath: string | undefined, dockerfileName: string): IgnoreMatcher | undefined {
  const candidates = dockerignoreCandidates(basename(dockerfileName));
  // podman's order: next to the Containerfile, then .containerignore, then .dockerignore.
  const paths = [
    ...(dockerfilePath ? [join(dirname(dockerfilePath), candidates[0]!)] : []),
    join(root, '.containerignore'),
    ...candidates.slice(1).map((c) => join(root, c)),
  ];
  for (const p of paths) {
    if (!existsSync(p)) continue;
    return new IgnoreMatcher(parseDockerignore(readFileSync(p, 'utf8')));
  }
  return undefined;
}

/**
 * Opens the context: a directory is used in place; a stream is unpacked into `workDir` when it
 * is a tar archive, or else is the Dockerfile itself (`docker build - < Dockerfile`).
 */
export async function openContext(opts: BuildOptions, workDir: string): Promise<BuildContext> {
  let root: string;
  let fromStream: string | undefined;
  if (opts.context.kind === 'dir') {
    root = resolve(opts.context.path);
    const st = statSync(root, { throwIfNoEntry: false });
    if (!st) throw notFound(`context directory ${root}: no such file or directory`);
    if (!st.isDirectory()) throw invalidArgument(`context ${root} is not a directory`);
  } else {
    root = join(workDir, 'context');
    mkdirSync(root, { recursive: true, mode: 0o700 });
    const { head, rest } = await peek(opts.context.stream, TAR_MAGIC_OFFSET + 8);
    if (looksLikeArchive(head)) {
      await applyTar(rest, root, { whiteouts: 'delete' });
    } else {
      fromStream = (await readAll(rest)).toString('utf8');
    }
  }
  if (opts.dockerfileText !== undefined || fromStream !== undefined) {
    const text = opts.dockerfileText ?? fromStream!;
    return { root, dockerfile: text, dockerfileName: 'Dockerfile', ignore: readIgnore(root, undefined, 'Dockerfile') };
  }
  let path: string | undefined;
  if (opts.dockerfile) {
    path = opts.context.kind === 'dir' ? resolve(opts.dockerfile) : resolveInRoot(root, opts.dockerfile);
    if (!existsSync(path)) throw notFound(`the Dockerfile ${opts.dockerfile}: no such file or directory`);
  } else {
    path = ['Containerfile', 'Dockerfile', 'dockerfile'].map((n) => join(root, n)).find((p) => existsSync(p) && statSync(p).isFile());
    if (!path) throw notFound(`no Containerfile or Dockerfile specified or found in context directory, ${root}`);
  }
  if (statSync(path).isDirectory()) throw invalidArgument(`the Dockerfile ${path} is a directory`);
  const name = basename(path);
  return { root, dockerfile: readFileSync(path, 'utf8'), dockerfileName: name, ignore: readIgnore(root, path, name) };
}
