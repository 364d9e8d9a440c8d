/**
 * @module template-parse
 * The parser of Go's text/template (parse/parse.go): the same grammar, the same scoping of
 * variables, the same `{{else if}}` desugaring and the same error texts, so that a format
 * string that Go rejects is rejected here in the same words.
 */

import { KEYWORDS, lex, type Token, type TokType } from './template-lex.js';
import { TemplateError } from './template-error.js';

interface At {
  pos: number;
  line: number;
}

export interface FieldNode extends At {
  kind: 'field';
  ident: string[];
}
export interface VariableNode extends At {
  kind: 'variable';
  ident: string[];
}
export interface ChainNode extends At {
  kind: 'chain';
  node: ArgNode;
  field: string[];
}
export interface IdentifierNode extends At {
  kind: 'identifier';
  name: string;
}
export interface DotNode extends At {
  kind: 'dot';
}
export interface NilNode extends At {
  kind: 'nil';
}
export interface BoolNode extends At {
  kind: 'bool';
  value: boolean;
}
export interface NumberNode extends At {
  kind: 'number';
  value: number | bigint;
  text: string;
}
export interface StringNode extends At {
  kind: 'string';
  quoted: string;
  value: string;
}
export interface CommandNode extends At {
  kind: 'command';
  args: ArgNode[];
}
export interface PipeNode extends At {
  kind: 'pipe';
  isAssign: boolean;
  decl: VariableNode[];
  cmds: CommandNode[];
}
export type ArgNode =
  | FieldNode
  | VariableNode
  | ChainNode
  | IdentifierNode
  | PipeNode
  | DotNode
  | NilNode
  | BoolNode
  | NumberNode
  | StringNode;

export interface TextNode extends At {
  kind: 'text';
  text: string;
}
export interface ActionNode extends At {
  kind: 'action';
  pipe: PipeNode;
}
export interface BranchNode extends At {
  kind: 'if' | 'range' | 'with';
  pipe: PipeNode;
  list: ListNode;
  elseList: ListNode | null;
}
export interface ListNode extends At {
  kind: 'list';
  nodes: Node[];
}
export interface TemplateNode extends At {
  kind: 'template';
  name: string;
  pipe: PipeNode | null;
}
export interface LoopControlNode extends At {
  kind: 'break' | 'continue';
}
export type Node = TextNode | ActionNode | BranchNode | ListNode | TemplateNode | LoopControlNode;

/** `{{end}}` and `{{else}}` exist only while parsing. */
interface EndNode extends At {
  kind: 'end' | 'else';
}

export interface ParsedTemplate {
  name: string;
  text: string;
  root: ListNode;
  /** {{define}} and {{block}} bodies by name */
  defs: Map<string, ListNode>;
}

/** Go's node.String(): the source form quoted in error contexts. */
export function nodeString(n: ArgNode | CommandNode | Node | EndNode): string {
  switch (n.kind) {
    case 'field':
      return '.' + n.ident.join('.');
    case 'variable':
      return n.ident.join('.');
    case 'chain': {
      const base = n.node.kind === 'pipe' ? `(${nodeString(n.node)})` : nodeString(n.node);
      return base + n.field.map((f) => '.' + f).join('');
    }
    case 'identifier':
      return n.name;
    case 'dot':
      return '.';
    case 'nil':
      return 'nil';
    case 'bool':
      return String(n.value);
    case 'number':
      return n.text;
    case 'string':
      return n.quoted;
    case 'command':
      return n.args.map((a) => (a.kind === 'pipe' ? `(${nodeString(a)})` : nodeString(a))).join(' ');
    case 'pipe': {
      const decl = n.decl.length > 0 ? n.decl.map(nodeString).join(', ') + (n.isAssign ? ' = ' : ' := ') : '';
      return decl + n.cmds.map(nodeString).join(' | ');
    }
    case 'text':
      return n.text;
    case 'action':
      return `{{${nodeString(n.pipe)}}}`;
    case 'if':
    case 'range':
    case 'with': {
      const els = n.elseList ? `{{else}}${nodeString(n.elseList)}` : '';
      return `{{${n.kind} ${nodeString(n.pipe)}}}${nodeString(n.list)}${els}{{end}}`;
    }
    case 'list':
      return n.nodes.map(nodeString).join('');
    case 'template':
      return n.pipe ? `{{template ${JSON.stringify(n.name)} ${nodeString(n.pipe)}}}` : `{{template ${JSON.stringify(n.name)}}}`;
    case 'break':
    case 'continue':
    case 'end':
    case 'else':
      return `{{${n.kind}}}`;
  }
}

// The lexer's keywords plus `.` (lexed on its own): tokens that can never start a field name.
const KEYWORD_TYPES: ReadonlySet<TokType> = new Set([...KEYWORDS, 'dot'] as TokType[]);

function tokenString(t: Token): string {
  if (t.type === 'eof') return 'EOF';
  if (t.type === 'error') return t.val;
  if (KEYWORD_TYPES.has(t.type)) return `<${t.val}>`;
  const runes = Array.from(t.val);
  if (runes.length > 10) return JSON.stringify(runes.slice(0, 10).join('')) + '...';
  return JSON.stringify(t.val);
}

class Parser {
  private i = 0;
  private vars: string[] = ['$'];
  private rangeDepth = 0;
  private actionLine = 0;
  private line = 1;
  readonly defs = new Map<string, ListNode>();

  constructor(
    private readonly toks: Token[],
    private readonly name: string,
    private readonly hasFunc: (name: string) => boolean,
  ) {}

  private next(): Token {
    const t = this.toks[Math.min(this.i, this.toks.length - 1)]!;
    this.i++;
    this.line = t.line;
    return t;
  }

  private backup(): void {
    this.i--;
  }

  private peek(): Token {
    return this.toks[Math.min(this.i, this.toks.length - 1)]!;
  }

  private nextNonSpace(): Token {
    let t: Token;
    do t = this.next();
    while (t.type === 'space');
    return t;
  }

  private peekNonSpace(): Token {
    const t = this.nextNonSpace();
    this.backup();
    return t;
  }

  errorf(msg: string): never {
    throw new TemplateError(`template: ${this.name}:${this.line}: ${msg}`);
  }

  private unexpected(t: Token, context: string): never {
    if (t.type === 'error') {
      const extra = this.actionLine !== 0 && this.actionLine !== t.line ? ` in action started at ${this.name}:${this.actionLine}` : '';
      this.errorf(t.val + extra);
    }
    this.errorf(`unexpected ${tokenString(t)} in ${context}`);
  }

  private expect(type: TokType, context: string): Token {
    const t = this.nextNonSpace();
    if (t.type !== type) this.unexpected(t, context);
    return t;
  }

  parse(): ListNode {
    const root: ListNode = { kind: 'list', nodes: [], ...this.at(this.peek()) };
    while (this.peek().type !== 'eof') {
      if (this.peek().type === 'leftDelim') {
        const mark = this.i;
        this.next();
        if (this.nextNonSpace().type === 'define') {
          this.parseDefinition();
          continue;
        }
        this.i = mark;
      }
      const n = this.textOrAction();
      if (isEnd(n)) this.errorf(`unexpected ${nodeString(n)}`);
      root.nodes.push(n);
    }
    return root;
  }

  private at(t: Token): At {
    return { pos: t.pos, line: t.line };
  }

  private addDefinition(name: string, list: ListNode): void {
    const prev = this.defs.get(name);
    if (prev && !isEmptyList(prev) && !isEmptyList(list)) {
      this.errorf(`template: multiple definition of template ${JSON.stringify(name)}`);
    }
    if (!prev || isEmptyList(prev)) this.defs.set(name, list);
  }

  /** A {{define}} or {{block}} body: its own variable scope, outside any range. */
  private subTree(context: string): ListNode {
    const saved = { vars: this.vars, rangeDepth: this.rangeDepth };
    this.vars = ['$'];
    this.rangeDepth = 0;
    const { list, next } = this.itemList();
    if (next.kind !== 'end') this.errorf(`unexpected ${nodeString(next)} in ${context}`);
    this.vars = saved.vars;
    this.rangeDepth = saved.rangeDepth;
    return list;
  }

  private parseDefinition(): void {
    const context = 'define clause';
    const t = this.nextNonSpace();
    if (t.type !== 'string' && t.type !== 'rawString') this.unexpected(t, context);
    const name = this.unquote(t.val);
    this.expect('rightDelim', context);
    this.addDefinition(name, this.subTree(context));
  }

  private itemList(): { list: ListNode; next: EndNode } {
    const list: ListNode = { kind: 'list', nodes: [], ...this.at(this.peekNonSpace()) };
    while (this.peekNonSpace().type !== 'eof') {
      const n = this.textOrAction();
      if (isEnd(n)) return { list, next: n };
      list.nodes.push(n);
    }
    this.errorf('unexpected EOF');
  }

  private textOrAction(): Node | EndNode {
    const t = this.nextNonSpace();
    switch (t.type) {
      case 'text':
        return { kind: 'text', text: t.val, ...this.at(t) };
      case 'leftDelim': {
        this.actionLine = t.line;
        try {
          return this.action();
        } finally {
          this.actionLine = 0;
        }
      }
      default:
        this.unexpected(t, 'input');
    }
  }

  private action(): Node | EndNode {
    const t = this.nextNonSpace();
    switch (t.type) {
      case 'block':
        return this.blockControl();
      case 'break':
      case 'continue':
        return this.loopControl(t);
      case 'else':
        return this.elseControl();
      case 'end':
        return { kind: 'end', ...this.at(this.expect('rightDelim', 'end')) };
      case 'if':
      case 'range':
      case 'with':
        return this.control(t.type);
      case 'template':
        return this.templateControl();
    }
    this.backup();
    const at = this.at(this.peek());
    // Variables declared here are not popped: they live until the enclosing {{end}}.
    return { kind: 'action', pipe: this.pipeline('command', 'rightDelim'), ...at };
  }

  private loopControl(t: Token): LoopControlNode {
    const kind = t.type === 'break' ? 'break' : 'continue';
    const n = this.nextNonSpace();
    if (n.type !== 'rightDelim') this.unexpected(n, `{{${kind}}}`);
    if (this.rangeDepth === 0) this.errorf(`{{${kind}}} outside {{range}}`);
    return { kind, ...this.at(t) };
  }

  private elseControl(): EndNode {
    const peek = this.peekNonSpace();
    // {{else if}} and {{else with}} leave the keyword pending for control() to nest.
    if (peek.type === 'if' || peek.type === 'with') return { kind: 'else', ...this.at(peek) };
    return { kind: 'else', ...this.at(this.expect('rightDelim', 'else')) };
  }

  private control(kind: 'if' | 'range' | 'with'): BranchNode {
    const depth = this.vars.length;
    try {
      const pipe = this.pipeline(kind, 'rightDelim');
      if (kind === 'range') this.rangeDepth++;
      const body = this.itemList();
      if (kind === 'range') this.rangeDepth--;
      let elseList: ListNode | null = null;
      if (body.next.kind === 'else') {
        const nested = this.peek().type;
        if ((kind === 'if' && nested === 'if') || (kind === 'with' && nested === 'with')) {
          this.next();
          elseList = { kind: 'list', nodes: [this.control(kind)], pos: body.next.pos, line: body.next.line };
        } else {
          const rest = this.itemList();
          if (rest.next.kind !== 'end') this.errorf(`expected end; found ${nodeString(rest.next)}`);
          elseList = rest.list;
        }
      }
      return { kind, pipe, list: body.list, elseList, pos: pipe.pos, line: pipe.line };
    } finally {
      this.vars.length = depth;
    }
  }

  private templateName(t: Token, context: string): string {
    if (t.type !== 'string' && t.type !== 'rawString') this.unexpected(t, context);
    return this.unquote(t.val);
  }

  private templateControl(): TemplateNode {
    const context = 'template clause';
    const t = this.nextNonSpace();
    const name = this.templateName(t, context);
    let pipe: PipeNode | null = null;
    if (this.nextNonSpace().type !== 'rightDelim') {
      this.backup();
      pipe = this.pipeline(context, 'rightDelim');
    }
    return { kind: 'template', name, pipe, ...this.at(t) };
  }

  private blockControl(): TemplateNode {
    const context = 'block clause';
    const t = this.nextNonSpace();
    const name = this.templateName(t, context);
    const pipe = this.pipeline(context, 'rightDelim');
    this.addDefinition(name, this.subTree(context));
    return { kind: 'template', name, pipe, ...this.at(t) };
  }

  private pipeline(context: string, end: TokType): PipeNode {
    const first = this.peekNonSpace();
    const pipe: PipeNode = { kind: 'pipe', isAssign: false, decl: [], cmds: [], ...this.at(first) };
    for (;;) {
      const v = this.peekNonSpace();
      if (v.type !== 'variable') break;
      const mark = this.i;
      this.next();
      const next = this.peekNonSpace();
      if (next.type === 'assign' || next.type === 'declare') {
        pipe.isAssign = next.type === 'assign';
        this.nextNonSpace();
        pipe.decl.push(this.variable(v));
        this.vars.push(v.val);
        break;
      }
      if (next.type === 'char' && next.val === ',') {
        this.nextNonSpace();
        pipe.decl.push(this.variable(v));
        this.vars.push(v.val);
        if (context === 'range' && pipe.decl.length < 2) {
          const after = this.peekNonSpace().type;
          if (after === 'variable' || after === 'rightDelim' || after === 'rightParen') continue;
          this.errorf('range can only initialize variables');
        }
        this.errorf(`too many declarations in ${context}`);
      }
      this.i = mark;
      break;
    }
    for (;;) {
      const t = this.nextNonSpace();
      switch (t.type) {
        case end:
          this.checkPipeline(pipe, context);
          return pipe;
        case 'bool':
        case 'charConstant':
        case 'complex':
        case 'dot':
        case 'field':
        case 'identifier':
        case 'number':
        case 'nil':
        case 'rawString':
        case 'string':
        case 'variable':
        case 'leftParen':
          this.backup();
          pipe.cmds.push(this.command());
          break;
        default:
          this.unexpected(t, context);
      }
    }
  }

  private checkPipeline(pipe: PipeNode, context: string): void {
    if (pipe.cmds.length === 0) this.errorf(`missing value for ${context}`);
    pipe.cmds.slice(1).forEach((c, i) => {
      const k = c.args[0]!.kind;
      if (k === 'bool' || k === 'dot' || k === 'nil' || k === 'number' || k === 'string') {
        this.errorf(`non executable command in pipeline stage ${i + 2}`);
      }
    });
  }

  private command(): CommandNode {
    const cmd: CommandNode = { kind: 'command', args: [], ...this.at(this.peekNonSpace()) };
    for (;;) {
      this.peekNonSpace();
      const operand = this.operand();
      if (operand) cmd.args.push(operand);
      const t = this.next();
      if (t.type === 'space') continue;
      if (t.type === 'rightDelim' || t.type === 'rightParen') this.backup();
      else if (t.type !== 'pipe') this.unexpected(t, 'operand');
      break;
    }
    if (cmd.args.length === 0) this.errorf('empty command');
    return cmd;
  }

  private operand(): ArgNode | null {
    const node = this.term();
    if (!node) return null;
    if (this.peek().type !== 'field') return node;
    const chainAt = this.at(this.peek());
    const fields: string[] = [];
    while (this.peek().type === 'field') fields.push(this.next().val.slice(1));
    switch (node.kind) {
      case 'field':
        return { kind: 'field', ident: [...node.ident, ...fields], ...chainAt };
      case 'variable':
        return { kind: 'variable', ident: [...node.ident, ...fields], ...chainAt };
      case 'bool':
      case 'string':
      case 'number':
      case 'nil':
      case 'dot':
        return this.errorf(`unexpected . after term ${JSON.stringify(nodeString(node))}`);
      default:
        return { kind: 'chain', node, field: fields, ...chainAt };
    }
  }

  private term(): ArgNode | null {
    const t = this.nextNonSpace();
    const at = this.at(t);
    switch (t.type) {
      case 'identifier':
        if (!this.hasFunc(t.val)) this.errorf(`function ${JSON.stringify(t.val)} not defined`);
        return { kind: 'identifier', name: t.val, ...at };
      case 'dot':
        return { kind: 'dot', ...at };
      case 'nil':
        return { kind: 'nil', ...at };
      case 'variable': {
        const v = this.variable(t);
        if (!this.vars.includes(v.ident[0]!)) this.errorf(`undefined variable ${JSON.stringify(v.ident[0])}`);
        return v;
      }
      case 'field':
        return { kind: 'field', ident: t.val.slice(1).split('.'), ...at };
      case 'bool':
        return { kind: 'bool', value: t.val === 'true', ...at };
      case 'charConstant':
      case 'complex':
      case 'number':
        return this.number(t);
      case 'leftParen':
        return this.pipeline('parenthesized pipeline', 'rightParen');
      case 'string':
      case 'rawString':
        return { kind: 'string', quoted: t.val, value: this.unquote(t.val), ...at };
    }
    this.backup();
    return null;
  }

  private variable(t: Token): VariableNode {
    return { kind: 'variable', ident: t.val.split('.'), ...this.at(t) };
  }

  private number(t: Token): NumberNode {
    const at = this.at(t);
    if (t.type === 'charConstant') {
      const { value, rest } = unquoteChar(t.val.slice(1), "'");
      if (value === undefined) this.errorf('invalid syntax');
      if (rest !== "'") this.errorf(`malformed character constant: ${t.val}`);
      return { kind: 'number', value, text: t.val, ...at };
    }
    if (t.type === 'complex' || t.val.endsWith('i')) this.errorf(`complex numbers are not supported: ${JSON.stringify(t.val)}`);
    const value = parseGoNumber(t.val);
    if (value === undefined) this.errorf(`illegal number syntax: ${JSON.stringify(t.val)}`);
    return { kind: 'number', value, text: t.val, ...at };
  }

  private unquote(quoted: string): string {
    const s = unquote(quoted);
    if (s === undefined) this.errorf('invalid syntax');
    return s;
  }
}

function isEnd(n: Node | EndNode): n is EndNode {
  return n.kind === 'end' || n.kind === 'else';
}

function isEmptyList(list: ListNode): boolean {
  return list.nodes.every((n) => n.kind === 'text' && n.text.trim() === '');
}

/** A Go number literal: ints (with 0x 0o 0b and legacy 0-octal prefixes) or floats. */
function parseGoNumber(text: string): number | bigint | undefined {
  let s = text.replace(/_/g, '');
  let sign = 1n;
  if (s[0] === '+' || s[0] === '-') {
    if (s[0] === '-') sign = -1n;
    s = s.slice(1);
  }
  let int: bigint | undefined;
  if (/^0[xX][0-9a-fA-F]+$/.test(s) || /^0[oO][0-7]+$/.test(s) || /^0[bB][01]+$/.test(s)) int = BigInt(s);
  else if (/^0[0-7]+$/.test(s)) int = BigInt('0o' + s.slice(1));
  else if (/^\d+$/.test(s)) int = BigInt(s);
  if (int !== undefined) {
    int *= sign;
    if (int > 0x7fffffffffffffffn || int < -0x8000000000000000n) return undefined;
    return Number.isSafeInteger(Number(int)) ? Number(int) : int;
  }
  if (/^(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(s) && /[.eE]/.test(s)) {
    const f = Number(s);
    return sign < 0n ? -f : f;
  }
  return undefined;
}

const SIMPLE_ESCAPES: Readonly<Record<string, string>> = {
  a: '\x07',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
  v: '\v',
  '\\': '\\',
};

/** strconv.UnquoteChar: one possibly escaped character of a quoted literal. */
function unquoteChar(s: string, q: string): { value: number | undefined; rest: string } {
  const bad = { value: undefined, rest: s };
  if (s === '' || s[0] === q) return bad;
  if (s[0] !== '\\') {
    const cp = s.codePointAt(0)!;
    return { value: cp, rest: s.slice(cp > 0xffff ? 2 : 1) };
  }
  const c = s[1];
  if (c === undefined) return bad;
  if (c in SIMPLE_ESCAPES) return { value: SIMPLE_ESCAPES[c]!.charCodeAt(0), rest: s.slice(2) };
  if (c === q) return { value: q.charCodeAt(0), rest: s.slice(2) };
  const hexLen = c === 'x' ? 2 : c === 'u' ? 4 : c === 'U' ? 8 : 0;
  if (hexLen > 0) {
    const h = s.slice(2, 2 + hexLen);
    if (!new RegExp(`^[0-9a-fA-F]{${hexLen}}$`).test(h)) return bad;
    const v = parseInt(h, 16);
    if (c !== 'x' && (v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff))) return bad;
    return { value: v, rest: s.slice(2 + hexLen) };
  }
  if (c >= '0' && c <= '7') {
    const o = s.slice(1, 4);
    if (!/^[0-7]{3}$/.test(o) || parseInt(o, 8) > 255) return bad;
    return { value: parseInt(o, 8), rest: s.slice(4) };
  }
  return bad;
}

/** strconv.Unquote for "…" and `…` literals. */
function unquote(quoted: string): string | undefined {
  if (quoted.startsWith('`')) {
    if (quoted.length < 2 || !quoted.endsWith('`')) return undefined;
    return quoted.slice(1, -1).replace(/\r/g, '');
  }
  if (quoted.length < 2 || !quoted.startsWith('"') || !quoted.endsWith('"')) return undefined;
  let s = quoted.slice(1, -1);
  let out = '';
  while (s.length > 0) {
    const { value, rest } = unquoteChar(s, '"');
    if (value === undefined) return undefined;
    out += String.fromCodePoint(value);
    s = rest;
  }
  return out;
}

/**
 * Parses a template. `hasFunc` says which function names exist: Go rejects an unknown
 * function at parse time, not when it runs.
 */
export function parse(text: string, name: string, hasFunc: (name: string) => boolean): ParsedTemplate {
  const p = new Parser(lex(text), name, hasFunc);
  const root = p.parse();
  return { name, text, root, defs: p.defs };
}
