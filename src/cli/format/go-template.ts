/**
 * @module go-template
 * Go's text/template as docker and podman run `--format`: parse once, execute against any
 * JavaScript value. The grammar, the functions (Go's builtins plus docker's json, split,
 * join, title, lower, upper, pad, truncate) and the printed forms follow Go, so a format
 * string copied from docker docs prints the same here.
 *
 * How JavaScript values map onto Go's: `undefined` is a missing map entry (`<no value>`),
 * `null` is nil (`<nil>`), integral numbers are ints, other numbers float64, arrays slices,
 * and objects are maps or structs. A field missing from a map prints `<no value>`; missing
 * from a struct it is an error. Objects whose keys are all capitalised count as structs
 * (docker's listing contexts), others as maps (labels); `goMap()` forces map semantics, and a
 * `Map` is always a map. A function-valued member is called as a Go method would be.
 */

import { builtinFuncs, dockerFuncs, headerFuncs, type FuncDef, type TemplateFunc } from './template-funcs.js';
import { ExecState, type FuncLookup } from './template-exec.js';
import { parse, type ParsedTemplate } from './template-parse.js';
import { TemplateError } from './template-error.js';

export { TemplateError } from './template-error.js';
export { goMap } from './go-value.js';
export { formatValue, sprint, sprintf, sprintln } from './go-fmt.js';
export { toGoJSON } from './template-funcs.js';
export type { TemplateFunc } from './template-funcs.js';

export interface TemplateOptions {
  /** Template name used in error messages; docker's is "" (`template: :1:2: …`). */
  name?: string;
  /** Extra functions, which take precedence over docker's and Go's, as Go's Funcs does. */
  funcs?: Readonly<Record<string, TemplateFunc>>;
}

export interface ExecuteOptions {
  /**
   * Read every object as a Go map, so a missing field prints `<no value>`. docker inspect
   * behaves so, because it falls back to the raw JSON when the typed lookup fails.
   */
  lenientFields?: boolean;
}

/** A parsed template; execute it as often as needed. */
export class Template {
  private constructor(
    private readonly parsed: ParsedTemplate,
    private readonly funcs: Readonly<Record<string, TemplateFunc>>,
  ) {}

  /** @internal use parseTemplate */
  static parse(text: string, opts: TemplateOptions = {}): Template {
    const funcs = opts.funcs ?? {};
    const has = (name: string): boolean =>
      Object.hasOwn(funcs, name) || dockerFuncs().has(name) || builtinFuncs().has(name);
    return new Template(parse(text, opts.name ?? '', has), funcs);
  }

  /** The template's source text. */
  get text(): string {
    return this.parsed.text;
  }

  /** Runs the template with `data` as dot and `$`; throws TemplateError on a failed lookup or call. */
  execute(data: unknown, opts: ExecuteOptions = {}): string {
    const state = new ExecState(this.parsed, this.lookup(false), { lenientFields: opts.lenientFields ?? false }, data);
    state.run(this.parsed.root, data);
    return state.out.join('');
  }

  /**
   * docker's table header: the same template run in header mode, where each field chain
   * prints its column header (from `headers`, else the field name in capitals) and json,
   * join, split, lower, upper, title and truncate pass the header through. Like docker,
   * an error ends the header where it happened instead of failing the listing.
   */
  executeHeader(headers: Readonly<Record<string, string>>): string {
    const state = new ExecState(this.parsed, this.lookup(true), { headers }, headers);
    try {
      state.run(this.parsed.root, headers);
    } catch (e) {
      if (!(e instanceof TemplateError)) throw e;
    }
    return state.out.join('');
  }

  private lookup(header: boolean): FuncLookup {
    return (name) => {
      const h = header ? headerFuncs().get(name) : undefined;
      if (h) return { def: h, builtin: false };
      if (Object.hasOwn(this.funcs, name)) {
        const def: FuncDef = { fn: this.funcs[name]! };
        return { def, builtin: false };
      }
      const d = dockerFuncs().get(name);
      if (d) return { def: d, builtin: false };
      const b = builtinFuncs().get(name);
      return b ? { def: b, builtin: true } : undefined;
    };
  }
}

/** Parses a Go template; throws TemplateError (`template: :1: …`) on a syntax error. */
export function parseTemplate(text: string, opts?: TemplateOptions): Template {
  return Template.parse(text, opts);
}

/** Parses and runs a template once. */
export function renderTemplate(text: string, data: unknown, opts?: TemplateOptions & ExecuteOptions): string {
  return Template.parse(text, opts).execute(data, opts);
}
