/**
 * @module quadlet/common
 * What every Quadlet conversion shares (Podman's pkg/systemd/quadlet): the service skeleton
 * (the source's own sections kept, its Quadlet group renamed X-<Group>), key checks, the
 * command being built, and references between Quadlet files (`Network=db.network`).
 */
import { invalidArgument } from '../../errdefs.js';
import type { SkiffInvocation } from '../container-unit.js';
import { UnitFile, quoteArg, splitWords } from '../unit-file.js';

export type QuadletKind = 'container' | 'volume' | 'network' | 'kube' | 'pod' | 'build' | 'image';

export const GROUPS: Record<QuadletKind, string> = {
  container: 'Container', volume: 'Volume', network: 'Network', kube: 'Kube', pod: 'Pod', build: 'Build', image: 'Image',
};

/** One Quadlet source file. */
export interface QuadletSource {
  /** File name, e.g. `web.container`. */
  name: string;
  /** Absolute path (SourcePath=, relative paths in keys are resolved against its directory). */
  path: string;
  text: string;
}

/** What a converted file produced, and what other files referring to it need. */
export interface QuadletUnitInfo {
  kind: QuadletKind;
  /** `web.service`, `db-volume.service`, … */
  serviceName: string;
  /** The skiff object it creates: container, volume, network, pod or image name. */
  resourceName: string;
}

export interface QuadletContext {
  invocation: SkiffInvocation;
  runRoot: string;
  isUser: boolean;
  /** Every source by file name, converted or not yet (references resolve through it). */
  units: Map<string, QuadletUnitInfo>;
}

/** Thrown for one file: the generator reports it and goes on with the others. */
export class QuadletError extends Error {}

export function fail(source: QuadletSource, msg: string): never {
  throw new QuadletError(`${source.name}: ${msg}`);
}

/** Keys Podman knows but skiff cannot honour yet: refused by name rather than half-applied. */
export function checkKeys(source: QuadletSource, unit: UnitFile, group: string, supported: readonly string[], podmanOnly: readonly string[]): void {
  for (const key of unit.keys(group)) {
    if (supported.includes(key)) continue;
    if (podmanOnly.includes(key)) fail(source, `key '${key}' in group '${group}' is not supported by skiff yet`);
    fail(source, `unsupported key '${key}' in group '${group}'`);
  }
}

export function baseName(source: QuadletSource): string {
  return source.name.slice(0, source.name.lastIndexOf('.'));
}

export function dirOf(path: string): string {
  const i = path.lastIndexOf('/');
  return i <= 0 ? '/' : path.slice(0, i);
}

/** `./x` and `x/y` relative to the Quadlet file's directory; `%h/x` and absolute paths as they are. */
export function absolutePath(source: QuadletSource, p: string): string {
  if (p.startsWith('/') || p.startsWith('%')) return p;
  return `${dirOf(source.path)}/${p.replace(/^\.\//, '')}`;
}

export function lookupBool(unit: UnitFile, group: string, key: string): boolean | undefined {
  const v = unit.get(group, key);
  if (v === undefined) return undefined;
  if (/^(1|yes|true|on)$/i.test(v)) return true;
  if (/^(0|no|false|off)$/i.test(v)) return false;
  throw invalidArgument(`${key}=${v}: want a boolean`);
}

/** The skiff command line being built; values from the file keep their systemd specifiers. */
export class Cmd {
  readonly args: string[] = [];
  add(...a: string[]): this {
    this.args.push(...a);
    return this;
  }
  /** `key → flag` for every value of a repeatable key. */
  addAll(unit: UnitFile, group: string, keys: Record<string, string>): this {
    for (const [key, flag] of Object.entries(keys)) for (const v of unit.all(group, key)) this.add(flag, v);
    return this;
  }
  /** `key → flag` for the last value of a key. */
  addLast(unit: UnitFile, group: string, keys: Record<string, string>): this {
    for (const [key, flag] of Object.entries(keys)) {
      const v = unit.get(group, key);
      if (v !== undefined && v !== '') this.add(flag, v);
    }
    return this;
  }
  addBools(unit: UnitFile, group: string, keys: Record<string, string>): this {
    for (const [key, flag] of Object.entries(keys)) if (lookupBool(unit, group, key)) this.add(flag);
    return this;
  }
  /** `Label=a=b "c=d e"`: systemd words, each KEY=VALUE. */
  addKeyVals(unit: UnitFile, group: string, keys: Record<string, string>): this {
    for (const [key, flag] of Object.entries(keys)) {
      for (const v of unit.all(group, key)) for (const kv of splitWords(v)) this.add(flag, kv);
    }
    return this;
  }
  /** `PodmanArgs=`: extra arguments, systemd words. */
  addWords(unit: UnitFile, group: string, key: string): this {
    for (const v of unit.all(group, key)) this.add(...splitWords(v));
    return this;
  }
  /** The Exec line: `%` specifiers and `$VARS` written in the file stay live, as in any unit. */
  line(): string {
    return this.args.map((a) => quoteArg(a, { keepSpecifiers: true })).join(' ');
  }
}

/** `skiff [global flags] [GlobalArgs=]`. */
export function skiffCmd(ctx: QuadletContext, unit: UnitFile, group: string): Cmd {
  return new Cmd().add(ctx.invocation.executable, ...ctx.invocation.globalArgs).addWords(unit, group, 'GlobalArgs');
}

/**
 * The service unit: the source's sections but its Quadlet group (kept as X-<Group>, which
 * systemd ignores), SourcePath=, the run root mounted, and the network online first unless
 * `[Quadlet] DefaultDependencies=false`.
 */
export function serviceSkeleton(ctx: QuadletContext, source: QuadletSource, unit: UnitFile, group: string): UnitFile {
  const out = new UnitFile();
  out.add('Unit', 'SourcePath', source.path);
  out.add('Unit', 'RequiresMountsFor', ctx.runRoot);
  if (lookupBool(unit, 'Quadlet', 'DefaultDependencies') !== false) {
    out.add('Unit', 'Wants', 'network-online.target').add('Unit', 'After', 'network-online.target');
  }
  for (const section of unit.sections.keys()) {
    if (section === group) out.copySection(unit, section, `X-${group}`);
    else if (section !== 'Quadlet') out.copySection(unit, section);
  }
  for (const [k, v] of Object.entries(ctx.invocation.environment)) out.add('Service', 'Environment', `${k}=${v}`);
  return out;
}

/** The service name: `ServiceName=` or the file's base name plus a suffix for the kind. */
export function serviceName(source: QuadletSource, unit: UnitFile, group: string, suffix: string): string {
  const own = unit.get(group, 'ServiceName');
  if (own) return own.endsWith('.service') ? own : `${own}.service`;
  return `${baseName(source)}${suffix}.service`;
}

/** A reference to another Quadlet file of `kind`: its resource name, with the unit depending on it. */
export function dependOn(ctx: QuadletContext, source: QuadletSource, service: UnitFile, ref: string, kind: QuadletKind, how: 'Requires' | 'BindsTo' = 'Requires'): string {
  const info = ctx.units.get(ref);
  if (!info || info.kind !== kind) fail(source, `requires the Quadlet file ${ref}, which does not exist`);
  service.add('Unit', how, info.serviceName).add('Unit', 'After', info.serviceName);
  return info.resourceName;
}

/** `Image=`: a name, or `x.image` / `x.build` whose unit makes it. */
export function imageRef(ctx: QuadletContext, source: QuadletSource, service: UnitFile, image: string): string {
  if (image.endsWith('.image')) return dependOn(ctx, source, service, image, 'image');
  if (image.endsWith('.build')) return dependOn(ctx, source, service, image, 'build');
  return image;
}
