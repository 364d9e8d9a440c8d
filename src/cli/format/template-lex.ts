/**
 * @module template-lex
 * The lexer of Go's text/template (parse/lex.go), state for state, so that trim markers,
 * comments, spaces-as-tokens and the error messages behave as Go's do.
 */

export type TokType =
  | 'error'
  | 'bool'
  | 'char'
  | 'charConstant'
  | 'complex'
  | 'assign'
  | 'declare'
  | 'eof'
  | 'field'
  | 'identifier'
  | 'leftDelim'
  | 'leftParen'
  | 'number'
  | 'pipe'
  | 'rawString'
  | 'rightDelim'
  | 'rightParen'
  | 'space'
  | 'string'
  | 'text'
  | 'variable'
  // keywords
  | 'block'
  | 'break'
  | 'continue'
  | 'dot'
  | 'define'
  | 'else'
  | 'end'
  | 'if'
  | 'nil'
  | 'range'
  | 'template'
  | 'with';

export interface Token {
  type: TokType;
  val: string;
  pos: number;
  line: number;
}

export const KEYWORDS: ReadonlySet<string> = new Set([
  'block',
  'break',
  'continue',
  'define',
  'else',
  'end',
  'if',
  'nil',
  'range',
  'template',
  'with',
]);

const LEFT = '{{';
const RIGHT = '}}';
const EOF = -1;

export function isSpace(r: number): boolean {
  return r === 0x20 || r === 0x09 || r === 0x0d || r === 0x0a;
}

const ALNUM = /^[\p{L}\p{Nd}_]$/u;

export function isAlphaNumeric(r: number): boolean {
  if (r === EOF) return false;
  if (r < 0x80) {
    return r === 0x5f || (r >= 0x30 && r <= 0x39) || (r >= 0x41 && r <= 0x5a) || (r >= 0x61 && r <= 0x7a);
  }
  return ALNUM.test(String.fromCodePoint(r));
}

function hasLeftTrimMarker(s: string, i: number): boolean {
  return s[i] === '-' && i + 1 < s.length && isSpace(s.charCodeAt(i + 1));
}

function hasRightTrimMarker(s: string, i: number): boolean {
  return i + 1 < s.length && isSpace(s.charCodeAt(i)) && s[i + 1] === '-';
}

function leftTrimLength(s: string, from: number): number {
  let i = from;
  while (i < s.length && isSpace(s.charCodeAt(i))) i++;
  return i - from;
}

type StateFn = (() => StateFn) | null;

class Lexer {
  readonly toks: Token[] = [];
  private pos = 0;
  private start = 0;
  private parenDepth = 0;
  private lastWidth = 0;
  // line of `start`, kept incrementally so token lines cost nothing extra
  private lineAt = 1;
  private lineScanned = 0;

  constructor(private readonly input: string) {}

  run(): Token[] {
    let state: StateFn = this.lexText;
    while (state) state = state();
    return this.toks;
  }

  private line(pos: number): number {
    for (; this.lineScanned < pos; this.lineScanned++) {
      if (this.input.charCodeAt(this.lineScanned) === 0x0a) this.lineAt++;
    }
    return this.lineAt;
  }

  private next(): number {
    if (this.pos >= this.input.length) {
      this.lastWidth = 0;
      return EOF;
    }
    const r = this.input.codePointAt(this.pos)!;
    this.lastWidth = r > 0xffff ? 2 : 1;
    this.pos += this.lastWidth;
    return r;
  }

  private peek(): number {
    const r = this.next();
    this.backup();
    return r;
  }

  private backup(): void {
    this.pos -= this.lastWidth;
  }

  private emit(type: TokType): void {
    this.toks.push({ type, val: this.input.slice(this.start, this.pos), pos: this.start, line: this.line(this.start) });
    this.start = this.pos;
  }

  private ignore(): void {
    this.start = this.pos;
  }

  private errorf(msg: string): StateFn {
    this.toks.push({ type: 'error', val: msg, pos: this.start, line: this.line(this.start) });
    return null;
  }

  private accept(valid: string): boolean {
    const r = this.next();
    if (r !== EOF && valid.includes(String.fromCodePoint(r))) return true;
    this.backup();
    return false;
  }

  private acceptRun(valid: string): void {
    while (this.accept(valid));
  }

  private atRightDelim(): { delim: boolean; trim: boolean } {
    if (hasRightTrimMarker(this.input, this.pos) && this.input.startsWith(RIGHT, this.pos + 2)) {
      return { delim: true, trim: true };
    }
    return { delim: this.input.startsWith(RIGHT, this.pos), trim: false };
  }

  private atTerminator(): boolean {
    const r = this.peek();
    if (isSpace(r)) return true;
    switch (r) {
      case EOF:
      case 0x2e: // .
      case 0x2c: // ,
      case 0x7c: // |
      case 0x3a: // :
      case 0x29: // )
      case 0x28: // (
        return true;
    }
    return this.input.startsWith(RIGHT, this.pos);
  }

  private readonly lexText = (): StateFn => {
    const x = this.input.indexOf(LEFT, this.pos);
    if (x < 0) {
      this.pos = this.input.length;
      if (this.pos > this.start) this.emit('text');
      this.emit('eof');
      return null;
    }
    this.pos = x;
    let trimLength = 0;
    if (hasLeftTrimMarker(this.input, x + LEFT.length)) {
      const text = this.input.slice(this.start, x);
      trimLength = text.length - text.replace(/[ \t\r\n]+$/, '').length;
    }
    this.pos -= trimLength;
    if (this.pos > this.start) this.emit('text');
    this.pos += trimLength;
    this.ignore();
    return this.lexLeftDelim;
  };

  private readonly lexLeftDelim = (): StateFn => {
    this.pos += LEFT.length;
    const trim = hasLeftTrimMarker(this.input, this.pos);
    const afterMarker = trim ? 2 : 0;
    if (this.input.startsWith('/*', this.pos + afterMarker)) {
      this.pos += afterMarker;
      this.ignore();
      return this.lexComment;
    }
    this.emit('leftDelim');
    this.pos += afterMarker;
    this.ignore();
    this.parenDepth = 0;
    return this.lexInsideAction;
  };

  private readonly lexComment = (): StateFn => {
    this.pos += 2;
    const x = this.input.indexOf('*/', this.pos);
    if (x < 0) return this.errorf('unclosed comment');
    this.pos = x + 2;
    const { delim, trim } = this.atRightDelim();
    if (!delim) return this.errorf('comment ends before closing delimiter');
    if (trim) this.pos += 2;
    this.pos += RIGHT.length;
    if (trim) this.pos += leftTrimLength(this.input, this.pos);
    this.ignore();
    return this.lexText;
  };

  private readonly lexRightDelim = (): StateFn => {
    const { trim } = this.atRightDelim();
    if (trim) {
      this.pos += 2;
      this.ignore();
    }
    this.pos += RIGHT.length;
    this.emit('rightDelim');
    if (trim) {
      this.pos += leftTrimLength(this.input, this.pos);
      this.ignore();
    }
    return this.lexText;
  };

  private readonly lexInsideAction = (): StateFn => {
    const { delim } = this.atRightDelim();
    if (delim) {
      if (this.parenDepth === 0) return this.lexRightDelim;
      return this.errorf('unclosed left paren');
    }
    const r = this.next();
    if (r === EOF) return this.errorf('unclosed action');
    if (isSpace(r)) {
      this.backup();
      return this.lexSpace;
    }
    const ch = String.fromCodePoint(r);
    switch (ch) {
      case '=':
        this.emit('assign');
        return this.lexInsideAction;
      case ':':
        if (this.next() !== 0x3d) return this.errorf('expected :=');
        this.emit('declare');
        return this.lexInsideAction;
      case '|':
        this.emit('pipe');
        return this.lexInsideAction;
      case '"':
        return this.lexQuote;
      case '`':
        return this.lexRawQuote;
      case '$':
        return this.lexVariable;
      case "'":
        return this.lexChar;
      case '(':
        this.emit('leftParen');
        this.parenDepth++;
        return this.lexInsideAction;
      case ')':
        this.emit('rightParen');
        this.parenDepth--;
        if (this.parenDepth < 0) return this.errorf('unexpected right paren');
        return this.lexInsideAction;
    }
    if (ch === '.') {
      // ".field" unless a digit follows, which makes a number such as .5
      const c = this.input.charCodeAt(this.pos);
      if (!(c >= 0x30 && c <= 0x39)) return this.lexField;
    }
    if (ch === '.' || ch === '+' || ch === '-' || (r >= 0x30 && r <= 0x39)) {
      this.backup();
      return this.lexNumber;
    }
    if (isAlphaNumeric(r)) {
      this.backup();
      return this.lexIdentifier;
    }
    if (r < 0x80 && r >= 0x20 && r !== 0x7f) {
      this.emit('char');
      return this.lexInsideAction;
    }
    return this.errorf(`unrecognized character in action: ${unicodeName(r)}`);
  };

  private readonly lexSpace = (): StateFn => {
    let numSpaces = 0;
    while (isSpace(this.peek())) {
      this.next();
      numSpaces++;
    }
    // A space followed by "-}}" belongs to the trim marker, not to the action.
    if (hasRightTrimMarker(this.input, this.pos - 1) && this.input.startsWith(RIGHT, this.pos + 1)) {
      this.pos--;
      if (numSpaces === 1) return this.lexRightDelim;
    }
    this.emit('space');
    return this.lexInsideAction;
  };

  private readonly lexIdentifier = (): StateFn => {
    let r: number;
    do r = this.next();
    while (isAlphaNumeric(r));
    this.backup();
    const word = this.input.slice(this.start, this.pos);
    if (!this.atTerminator()) return this.errorf(`bad character ${unicodeName(this.peek())}`);
    if (KEYWORDS.has(word)) this.emit(word as TokType);
    else if (word === 'true' || word === 'false') this.emit('bool');
    else this.emit('identifier');
    return this.lexInsideAction;
  };

  private readonly lexField = (): StateFn => this.lexFieldOrVariable('field');
  private readonly lexVariable = (): StateFn => this.lexFieldOrVariable('variable');

  private lexFieldOrVariable(type: 'field' | 'variable'): StateFn {
    if (this.atTerminator()) {
      this.emit(type === 'variable' ? 'variable' : 'dot');
      return this.lexInsideAction;
    }
    let r: number;
    do r = this.next();
    while (isAlphaNumeric(r));
    this.backup();
    if (!this.atTerminator()) return this.errorf(`bad character ${unicodeName(this.peek())}`);
    this.emit(type);
    return this.lexInsideAction;
  }

  /** Scans to the closing quote; the error message when there is none. */
  private quoted(close: number, what: string): string | undefined {
    for (;;) {
      const r = this.next();
      if (r === 0x5c) {
        const e = this.next();
        if (e !== EOF && e !== 0x0a) continue;
        return `unterminated ${what}`;
      }
      if (r === EOF || r === 0x0a) return `unterminated ${what}`;
      if (r === close) return undefined;
    }
  }

  private readonly lexQuote = (): StateFn => {
    const err = this.quoted(0x22, 'quoted string');
    if (err) return this.errorf(err);
    this.emit('string');
    return this.lexInsideAction;
  };

  private readonly lexChar = (): StateFn => {
    const err = this.quoted(0x27, 'character constant');
    if (err) return this.errorf(err);
    this.emit('charConstant');
    return this.lexInsideAction;
  };

  private readonly lexRawQuote = (): StateFn => {
    for (;;) {
      const r = this.next();
      if (r === EOF) return this.errorf('unterminated raw quoted string');
      if (r === 0x60) break;
    }
    this.emit('rawString');
    return this.lexInsideAction;
  };

  private readonly lexNumber = (): StateFn => {
    if (!this.scanNumber()) return this.errorf(`bad number syntax: ${JSON.stringify(this.input.slice(this.start, this.pos))}`);
    const sign = this.peek();
    if (sign === 0x2b || sign === 0x2d) {
      // complex: 1+2i, no spaces, must end in 'i'
      if (!this.scanNumber() || this.input[this.pos - 1] !== 'i') {
        return this.errorf(`bad number syntax: ${JSON.stringify(this.input.slice(this.start, this.pos))}`);
      }
      this.emit('complex');
    } else {
      this.emit('number');
    }
    return this.lexInsideAction;
  };

  private scanNumber(): boolean {
    this.accept('+-');
    let digits = '0123456789_';
    if (this.accept('0')) {
      // a leading 0 does not make a float octal
      if (this.accept('xX')) digits = '0123456789abcdefABCDEF_';
      else if (this.accept('oO')) digits = '01234567_';
      else if (this.accept('bB')) digits = '01_';
    }
    this.acceptRun(digits);
    if (this.accept('.')) this.acceptRun(digits);
    if (digits.length === 11 && this.accept('eE')) {
      this.accept('+-');
      this.acceptRun('0123456789_');
    }
    if (digits.length === 23 && this.accept('pP')) {
      this.accept('+-');
      this.acceptRun('0123456789_');
    }
    this.accept('i');
    if (isAlphaNumeric(this.peek())) {
      this.next();
      return false;
    }
    return true;
  }
}

/** Go's %#U: U+0041 'A'. */
export function unicodeName(r: number): string {
  if (r === EOF) return 'U+FFFFFFFF';
  const hex = 'U+' + r.toString(16).toUpperCase().padStart(4, '0');
  const ch = String.fromCodePoint(r);
  return /^[\p{L}\p{M}\p{N}\p{P}\p{S} ]$/u.test(ch) ? `${hex} '${ch}'` : hex;
}

/** Every token of a template, ending with an eof or error token. */
export function lex(input: string): Token[] {
  return new Lexer(input).run();
}
