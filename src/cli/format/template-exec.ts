/**
 * @module template-exec
 * The executor of Go's text/template (exec.go) over JavaScript values: field chains,
 * method calls, variables and their scopes, range/with/if, lazy and/or, {{template}}, and
 * errors located as Go locates them (`template: :1:2: executing "" at <.Foo>: …`).
 */

import { formatValue } from './go-fmt.js';
import {
  goTypeName,
  isList,
  isTrue,
  kindOf,
  listItems,
  mapEntries,
  memberOf,
} from './go-value.js';
import type { FuncDef, ParamType } from './template-funcs.js';
import { TemplateError } from './template-error.js';
import {
  nodeString,
  type ArgNode,
  type BranchNode,
  type ChainNode,
  type CommandNode,
  type FieldNode,
  type IdentifierNode,
  type ListNode,
  type Node,
  type ParsedTemplate,
  type PipeNode,
  type TemplateNode,
  type VariableNode,
} from './template-parse.js';

export interface ExecOptions {
  /** Read every object as a Go map: a missing field prints `<no value>` instead of failing. */
  lenientFields?: boolean;
  /** Header mode: a field chain prints its column header instead of its value. */
  headers?: Readonly<Record<string, string>>;
}

export interface FuncLookup {
  (name: string): { def: FuncDef; builtin: boolean } | undefined;
}

/** Go's missingVal: "no final value", which differs from an undefined one. */
const MISSING: unique symbol = Symbol('missing');
type Final = unknown;

const BREAK = Symbol('break');
const CONTINUE = Symbol('continue');

// Go allows 100000 nested {{template}} calls; a JavaScript stack does not.
const MAX_DEPTH = 1000;

type Located = ArgNode | CommandNode | Node;

interface Var {
  name: string;
  value: unknown;
}

const GO_PARAM: Readonly<Record<ParamType, string>> = { any: 'interface {}', string: 'string', int: 'int', strings: '[]string' };

export class ExecState {
  readonly out: string[] = [];
  private vars: Var[];
  private node: Located | null = null;

  constructor(
    private readonly tmpl: ParsedTemplate,
    private readonly lookup: FuncLookup,
    private readonly opts: ExecOptions,
    data: unknown,
    private readonly execName = tmpl.name,
    private readonly depth = 0,
  ) {
    this.vars = [{ name: '$', value: data }];
  }

  run(root: ListNode, dot: unknown): void {
    this.walk(dot, root);
  }

  private at(node: Located): void {
    this.node = node;
  }

  private errorf(msg: string): never {
    const name = this.tmpl.name;
    if (!this.node) throw new TemplateError(`template: ${name}: ${msg}`);
    const before = this.tmpl.text.slice(0, this.node.pos);
    const nl = before.lastIndexOf('\n');
    const line = 1 + (before.match(/\n/g)?.length ?? 0);
    const col = Buffer.byteLength(nl < 0 ? before : before.slice(nl + 1));
    throw new TemplateError(
      `template: ${name}:${line}:${col}: executing ${JSON.stringify(this.execName)} at <${nodeString(this.node)}>: ${msg}`,
    );
  }

  private walk(dot: unknown, node: Node): void {
    switch (node.kind) {
      case 'action': {
        // Declared variables live on until the enclosing {{end}}, and are not printed.
        const val = this.evalPipeline(dot, node.pipe);
        if (node.pipe.decl.length === 0) this.printValue(node, val);
        return;
      }
      case 'break':
        throw BREAK;
      case 'continue':
        throw CONTINUE;
      case 'if':
      case 'with':
        return this.walkIfOrWith(dot, node);
      case 'list':
        for (const n of node.nodes) this.walk(dot, n);
        return;
      case 'range':
        return this.walkRange(dot, node);
      case 'template':
        return this.walkTemplate(dot, node);
      case 'text':
        this.out.push(node.text);
        return;
    }
  }

  private walkIfOrWith(dot: unknown, node: BranchNode): void {
    const mark = this.vars.length;
    try {
      const val = this.evalPipeline(dot, node.pipe);
      if (isTrue(val)) this.walk(node.kind === 'with' ? val : dot, node.list);
      else if (node.elseList) this.walk(dot, node.elseList);
    } finally {
      this.vars.length = mark;
    }
  }

  private walkRange(dot: unknown, r: BranchNode): void {
    this.at(r);
    const outer = this.vars.length;
    try {
      const val = this.evalPipeline(dot, r.pipe);
      const mark = this.vars.length;
      const decl = r.pipe.decl;
      const one = (index: unknown, elem: unknown): boolean => {
        if (decl.length > 0) {
          if (r.pipe.isAssign) this.setVar(decl[0]!.ident[0]!, decl.length > 1 ? index : elem);
          else this.vars[this.vars.length - 1]!.value = elem;
        }
        if (decl.length > 1) {
          if (r.pipe.isAssign) this.setVar(decl[1]!.ident[0]!, elem);
          else this.vars[this.vars.length - 2]!.value = index;
        }
        try {
          this.walk(elem, r.list);
        } catch (e) {
          if (e === BREAK) return false;
          if (e !== CONTINUE) throw e;
        } finally {
          this.vars.length = mark;
        }
        return true;
      };
      let ran = false;
      switch (kindOf(val)) {
        case 'slice': {
          const items = listItems(val as unknown[]);
          ran = items.length > 0;
          for (let i = 0; i < items.length && one(i, items[i]); i++);
          break;
        }
        case 'map':
        case 'struct': {
          if (kindOf(val) === 'struct' && !isRangeableObject(val as object)) this.errorf(`range can't iterate over ${formatValue(val)}`);
          const entries = mapEntries(val as object);
          ran = entries.length > 0;
          for (const [k, v] of entries) if (!one(k, v)) break;
          break;
        }
        case 'int': {
          if (decl.length > 1) this.errorf(`can't use ${formatValue(val)} to iterate over more than one variable`);
          const n = Number(val);
          ran = n > 0;
          for (let i = 0; i < n && one(i, i); i++);
          break;
        }
        case 'invalid':
        case 'nil':
          break;
        default:
          this.errorf(`range can't iterate over ${formatValue(val)}`);
      }
      if (!ran && r.elseList) this.walk(dot, r.elseList);
    } finally {
      this.vars.length = outer;
    }
  }

  private walkTemplate(dot: unknown, t: TemplateNode): void {
    this.at(t);
    const body = this.tmpl.defs.get(t.name);
    if (!body) this.errorf(`template ${JSON.stringify(t.name)} not defined`);
    if (this.depth >= MAX_DEPTH) this.errorf(`exceeded maximum template depth (${MAX_DEPTH})`);
    // Without a pipeline the called template gets nil data, as in Go.
    const data = t.pipe ? this.evalPipeline(dot, t.pipe) : undefined;
    const sub = new ExecState(this.tmpl, this.lookup, this.opts, data, t.name, this.depth + 1);
    try {
      sub.run(body, data);
    } finally {
      this.out.push(...sub.out);
    }
  }

  private evalPipeline(dot: unknown, pipe: PipeNode): unknown {
    this.at(pipe);
    let value: unknown = MISSING;
    for (const cmd of pipe.cmds) value = this.evalCommand(dot, cmd, value);
    for (const v of pipe.decl) {
      if (pipe.isAssign) this.setVar(v.ident[0]!, value);
      else this.vars.push({ name: v.ident[0]!, value });
    }
    return value;
  }

  private notAFunction(args: ArgNode[], final: Final): void {
    if (args.length > 1 || final !== MISSING) this.errorf(`can't give argument to non-function ${nodeString(args[0]!)}`);
  }

  private evalCommand(dot: unknown, cmd: CommandNode, final: Final): unknown {
    const first = cmd.args[0]!;
    switch (first.kind) {
      case 'field':
        return this.evalFieldNode(dot, first, cmd.args, final);
      case 'chain':
        return this.evalChainNode(dot, first, cmd.args, final);
      case 'identifier':
        return this.evalFunction(dot, first, cmd, cmd.args, final);
      case 'pipe':
        this.notAFunction(cmd.args, final);
        return this.evalPipeline(dot, first);
      case 'variable':
        return this.evalVariableNode(dot, first, cmd.args, final);
    }
    this.at(first);
    this.notAFunction(cmd.args, final);
    switch (first.kind) {
      case 'nil':
        return this.errorf('nil is not a command');
      case 'dot':
        return dot;
      default:
        return first.value;
    }
  }

  private evalFieldNode(dot: unknown, field: FieldNode, args: ArgNode[], final: Final): unknown {
    this.at(field);
    return this.evalFieldChain(dot, dot, field, field.ident, args, final);
  }

  private evalChainNode(dot: unknown, chain: ChainNode, args: ArgNode[], final: Final): unknown {
    if (chain.node.kind === 'nil') this.errorf(`indirection through explicit nil in ${nodeString(chain)}`);
    const receiver = this.evalArg(dot, chain.node);
    return this.evalFieldChain(dot, receiver, chain, chain.field, args, final);
  }

  private evalVariableNode(dot: unknown, v: VariableNode, args: ArgNode[], final: Final): unknown {
    this.at(v);
    const value = this.varValue(v.ident[0]!);
    if (v.ident.length === 1) {
      this.notAFunction(args, final);
      return value;
    }
    return this.evalFieldChain(dot, value, v, v.ident.slice(1), args, final);
  }

  /** args[0] is the node that names the chain; the rest are arguments to a final method. */
  private evalFieldChain(
    dot: unknown,
    receiver: unknown,
    node: FieldNode | ChainNode | VariableNode,
    ident: string[],
    args: ArgNode[],
    final: Final,
  ): unknown {
    if (this.opts.headers) return headerOf(this.opts.headers, ident);
    for (let i = 0; i < ident.length - 1; i++) receiver = this.evalField(dot, ident[i]!, node, [], MISSING, receiver);
    return this.evalField(dot, ident.at(-1)!, node, args.slice(1), final, receiver);
  }

  private evalField(
    dot: unknown,
    name: string,
    node: FieldNode | ChainNode | VariableNode,
    args: ArgNode[],
    final: Final,
    receiver: unknown,
  ): unknown {
    // A missing map entry stays missing down the chain, as Go's invalid value does.
    if (receiver === undefined) return undefined;
    if (receiver === null) this.errorf(`nil pointer evaluating interface {}.${name}`);
    const hasArgs = args.length > 0 || final !== MISSING;
    if ((typeof receiver === 'object' || typeof receiver === 'function') && !isList(receiver)) {
      const obj = receiver as object;
      const { found, value } = memberOf(obj, name);
      if (found && typeof value === 'function' && !(obj instanceof Map)) {
        const method: FuncDef = { fn: (...a: unknown[]) => (value as (...x: unknown[]) => unknown).apply(obj, a) };
        return this.evalCall(dot, method, false, node, name, args, final);
      }
      const kind = kindOf(obj);
      if (kind === 'map' || (this.opts.lenientFields && typeof obj === 'object')) {
        if (hasArgs) this.errorf(`${name} is not a method but has arguments`);
        return value;
      }
      if (kind === 'struct' && found) {
        if (hasArgs) this.errorf(`${name} has arguments but cannot be invoked as function`);
        return value;
      }
    }
    this.errorf(`can't evaluate field ${name} in type ${goTypeName(receiver)}`);
  }

  private evalFunction(dot: unknown, node: IdentifierNode, cmd: CommandNode | IdentifierNode, args: ArgNode[], final: Final): unknown {
    this.at(node);
    const found = this.lookup(node.name);
    if (!found) this.errorf(`${JSON.stringify(node.name)} is not a defined function`);
    return this.evalCall(dot, found.def, found.builtin, cmd, node.name, args.slice(1), final);
  }

  private evalCall(
    dot: unknown,
    def: FuncDef,
    builtin: boolean,
    node: Located,
    name: string,
    args: ArgNode[],
    final: Final,
  ): unknown {
    const numIn = args.length + (final === MISSING ? 0 : 1);
    const min = def.min ?? def.params?.length;
    const max = def.max ?? def.params?.length;
    if (min !== undefined && max === Infinity) {
      if (numIn < min) this.errorf(`wrong number of args for ${name}: want at least ${min} got ${numIn}`);
    } else if (min !== undefined && max !== undefined && (numIn < min || numIn > max)) {
      this.errorf(`wrong number of args for ${name}: want ${max} got ${numIn}`);
    }
    if (builtin && (name === 'and' || name === 'or')) {
      // Go 1.18+: and/or stop at the first argument that decides the result.
      let v: unknown;
      for (const a of args) {
        v = this.evalArg(dot, a);
        if (isTrue(v) === (name === 'or')) return v;
      }
      return final === MISSING ? v : final;
    }
    const param = (i: number): ParamType => (def.params ? (def.params[i] ?? def.params.at(-1)!) : 'any');
    const argv = args.map((a, i) => this.evalTypedArg(dot, a, param(i)));
    if (final !== MISSING) argv.push(this.validateType(final, param(args.length)));
    try {
      return def.fn(...argv);
    } catch (e) {
      if (e instanceof TemplateError) throw e;
      this.at(node);
      this.errorf(`error calling ${name}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  private evalTypedArg(dot: unknown, n: ArgNode, type: ParamType): unknown {
    this.at(n);
    if (type !== 'any') {
      switch (n.kind) {
        case 'nil':
          return this.errorf(`cannot assign nil to ${GO_PARAM[type]}`);
        case 'string':
        case 'number':
        case 'bool':
          if (type === 'string' && n.kind !== 'string') this.errorf(`expected string; found ${nodeString(n)}`);
          if (type === 'int' && (n.kind !== 'number' || !Number.isInteger(Number(n.value)))) {
            this.errorf(`expected integer; found ${nodeString(n)}`);
          }
          if (type === 'strings') this.errorf(`can't handle ${nodeString(n)} for arg of type []string`);
          return n.value;
      }
    }
    return this.validateType(this.evalArg(dot, n), type);
  }

  private validateType(v: unknown, type: ParamType): unknown {
    if (type === 'any') return v === undefined ? null : v;
    // A nil slice is a valid []string; a nil string or int is not.
    if ((v === undefined || v === null) && type === 'strings') return [];
    if (v === undefined || v === null) this.errorf(`invalid value; expected ${GO_PARAM[type]}`);
    const ok =
      type === 'string'
        ? typeof v === 'string'
        : type === 'int'
          ? kindOf(v) === 'int'
          : isList(v);
    if (!ok) this.errorf(`wrong type for value; expected ${GO_PARAM[type]}; got ${goTypeName(v)}`);
    return v;
  }

  private evalArg(dot: unknown, n: ArgNode): unknown {
    this.at(n);
    switch (n.kind) {
      case 'dot':
        return dot;
      case 'nil':
        return null;
      case 'field':
        return this.evalFieldNode(dot, n, [n], MISSING);
      case 'variable':
        return this.evalVariableNode(dot, n, [n], MISSING);
      case 'pipe':
        return this.evalPipeline(dot, n);
      case 'identifier':
        return this.evalFunction(dot, n, n, [n], MISSING);
      case 'chain':
        return this.evalChainNode(dot, n, [n], MISSING);
      default:
        return n.value;
    }
  }

  private printValue(node: Node, v: unknown): void {
    this.at(node);
    if (this.opts.headers && (v === undefined || v === null)) {
      // A column without a header text is headed by its field's name in capitals.
      this.out.push(node.kind === 'action' ? (fieldNameIn(node.pipe)?.toUpperCase() ?? '') : '');
      return;
    }
    if (v === undefined) {
      this.out.push('<no value>');
      return;
    }
    if (typeof v === 'function') this.errorf(`can't print ${nodeString(node)} of type func`);
    this.out.push(formatValue(v));
  }

  private varValue(name: string): unknown {
    for (let i = this.vars.length - 1; i >= 0; i--) if (this.vars[i]!.name === name) return this.vars[i]!.value;
    this.errorf(`undefined variable: ${name}`);
  }

  private setVar(name: string, value: unknown): void {
    for (let i = this.vars.length - 1; i >= 0; i--) {
      if (this.vars[i]!.name === name) {
        this.vars[i]!.value = value;
        return;
      }
    }
    this.errorf(`undefined variable: ${name}`);
  }
}

/** Plain objects range as maps even when they look like structs; class instances do not. */
function isRangeableObject(o: object): boolean {
  const proto: unknown = Object.getPrototypeOf(o);
  return proto === Object.prototype || proto === null;
}

/**
 * A field's header text, or undefined when the caller gave none: like docker's missing
 * header-map key it is false in {{if}} (so "{{if .Current}} *{{end}}" adds nothing to the
 * header), and printValue prints it as the field name in capitals.
 */
function headerOf(headers: Readonly<Record<string, string>>, ident: string[]): string | undefined {
  const full = ident.join('.');
  if (Object.hasOwn(headers, full)) return headers[full];
  const last = ident.at(-1)!;
  return Object.hasOwn(headers, last) ? headers[last] : undefined;
}

/** The last name of the first field chain in a pipeline, depth first. */
function fieldNameIn(pipe: PipeNode): string | undefined {
  for (const cmd of pipe.cmds) {
    for (const arg of cmd.args) {
      if (arg.kind === 'field') return arg.ident.at(-1);
      if (arg.kind === 'variable' && arg.ident.length > 1) return arg.ident.at(-1);
      if (arg.kind === 'chain') return arg.field.at(-1);
      if (arg.kind === 'pipe') {
        const name = fieldNameIn(arg);
        if (name) return name;
      }
    }
  }
  return undefined;
}
