/**
 * @module engine/compose/file-objects
 * A service's `secrets` and `configs` in its container, as Docker Compose v2 puts them without
 * Swarm: one from a `file` is bind-mounted read-only; one from `environment` or `content` is
 * written into the created container before it starts (mode 0444 unless `mode` says, owned by
 * `uid`/`gid`). Secrets land in /run/secrets/, configs at / (a relative `target` under those);
 * an `external` one has nothing to come from and is refused.
 */
import type { Readable } from 'node:stream';
import tar from 'tar-stream';
import { invalidArgument } from '../../core/errdefs.js';
import type { LoadedProject, ServiceConfig, ServiceFileReference } from '../../core/compose/types.js';
import type { MountSpec } from '../containers/create-input.js';
import type { Engine } from '../index.js';

type Kind = 'secrets' | 'configs';

interface FileObject {
  target: string;
  file?: string;
  content?: string;
  ref: ServiceFileReference;
}

function objects(loaded: LoadedProject, service: string, svc: ServiceConfig): FileObject[] {
  const out: FileObject[] = [];
  for (const kind of ['secrets', 'configs'] as Kind[]) {
    const one = kind === 'secrets' ? 'secret' : 'config';
    const base = kind === 'secrets' ? '/run/secrets/' : '/';
    for (const ref of svc[kind] ?? []) {
      const def = loaded.project[kind]?.[ref.source];
      if (!def) throw invalidArgument(`service "${service}" refers to undefined ${one} ${ref.source}`);
      if (def.external) throw invalidArgument(`unsupported external ${one} ${def.name}`);
      const target = !ref.target ? `${base}${ref.source}` : ref.target.startsWith('/') ? ref.target : `${base}${ref.target}`;
      if (def.file !== undefined) out.push({ target, file: def.file, ref });
      else if (def.content !== undefined) out.push({ target, content: def.content, ref });
      else if (def.environment !== undefined) out.push({ target, content: loaded.environment[def.environment] ?? '', ref });
      else throw invalidArgument(`${one} ${ref.source} has no file, environment or content`);
    }
  }
  return out;
}

/** The read-only binds of the file-backed ones (a missing file fails the create, as in Compose). */
export function fileObjectMounts(loaded: LoadedProject, service: string, svc: ServiceConfig): MountSpec[] {
  return objects(loaded, service, svc)
    .filter((o) => o.file !== undefined)
    .map((o) => ({ type: 'bind', source: o.file!, target: o.target, readOnly: true }));
}

const mode = (m: ServiceFileReference['mode']) => (m === undefined ? 0o444 : typeof m === 'number' ? m : parseInt(m, 8));

/** Writes the environment- and content-backed ones into the created container. */
export async function injectFileObjects(engine: Engine, loaded: LoadedProject, service: string, svc: ServiceConfig, id: string): Promise<void> {
  const inline = objects(loaded, service, svc).filter((o) => o.content !== undefined);
  if (!inline.length) return;
  const pack = tar.pack();
  for (const o of inline) {
    const data = Buffer.from(o.content!);
    pack.entry({ name: o.target.slice(1), size: data.length, mode: mode(o.ref.mode), uid: Number(o.ref.uid ?? 0), gid: Number(o.ref.gid ?? 0), mtime: new Date() }, data);
  }
  pack.finalize();
  await engine.containers.copy(id, { direction: 'in', path: '/', tar: pack as unknown as Readable });
}
