/**
 * @module build/ast
 * The typed result of parsing a Dockerfile/Containerfile (`parseDockerfile` in ./parser.ts).
 *
 * Words are kept **raw**: quotes, `$VAR` references and escapes are as written. Variable
 * substitution happens at build time, when the ARG/ENV values in scope are known: the builder
 * calls `expandWord`/`expandWords` (./expand.ts) on exactly the fields marked "expands" below,
 * which are the ones the Dockerfile reference lists (ADD, COPY, ENV, EXPOSE, FROM, LABEL,
 * STOPSIGNAL, USER, VOLUME, WORKDIR, ARG, ONBUILD-no; plus the flag values BuildKit expands:
 * `--from`, `--chown`, `--chmod`, `--platform`, `--mount` fields, `--checksum`, `--exclude`).
 * RUN, CMD, ENTRYPOINT, SHELL and HEALTHCHECK commands are not substituted: the shell does it.
 *
 * Errors are `EngineError` InvalidArgument whose message starts with `<file>:<line>: `.
 */

export type EscapeChar = '\\' | '`';

/** Parser directives: only in comment lines at the very top of the file. */
export interface Directives {
  syntax?: string;
  /** Default `\`; `` ` `` for Windows-style files. */
  escape: EscapeChar;
  /** `# check=skip=...;error=true`, kept verbatim. */
  check?: string;
}

export interface Dockerfile {
  directives: Directives;
  /** ARG instructions before the first FROM: usable in FROM lines, and in a stage after `ARG name`. */
  globalArgs: ArgInstruction[];
  stages: Stage[];
  /** Non-fatal findings (e.g. empty continuation lines, which Docker warns about). */
  warnings: ParseWarning[];
}

export interface ParseWarning {
  line: number;
  message: string;
}

export interface Stage {
  /** 0-based position; `COPY --from=0` refers to it. */
  index: number;
  /** `FROM image AS name`, lower-cased. */
  name?: string;
  from: FromInstruction;
  /** Everything after FROM up to the next FROM. */
  instructions: Instruction[];
}

/**
 * A heredoc body attached to RUN, COPY or ADD (`<<EOF`, `<<-EOF`, `<<"EOF"`, `<<'EOF'`).
 * `content` ends with a newline for each body line; with `chomp` the leading tabs are already removed.
 */
export interface Heredoc {
  name: string;
  content: string;
  /** `<<-`: leading tabs stripped from each line (done by the parser). */
  chomp: boolean;
  /** Unquoted delimiter: `$VAR` in the content is expanded (by the shell for RUN, by the builder for COPY/ADD). */
  expand: boolean;
}

/** Exec form (valid JSON array of strings) or shell form (anything else: the reference's fallback). */
export type CommandForm = { form: 'exec'; args: string[] } | { form: 'shell'; command: string };

/**
 * `--mount=` of RUN, parsed from its CSV. Field values are raw (may still hold `$VAR`): at build
 * time call `parseMount(spec.raw, (w) => expandWord(w, lookup))` (./mount.ts) for the final one.
 */
export interface MountSpec {
  /** The flag's value as written. */
  raw: string;
  type: 'bind' | 'cache' | 'tmpfs' | 'secret' | 'ssh';
  target?: string;
  source?: string;
  /** Stage name/index or image the source comes from (bind, cache). */
  from?: string;
  id?: string;
  sharing?: 'shared' | 'private' | 'locked';
  mode?: number;
  uid?: number;
  gid?: number;
  readonly: boolean;
  required: boolean;
  /** tmpfs size in bytes. */
  size?: number;
  /** secret: expose as an environment variable instead of (or besides) a file. */
  env?: string;
}

interface Base {
  /** 1-based line where the instruction starts. */
  line: number;
  /** 1-based last line (including continuation lines and heredoc bodies). */
  endLine: number;
  /**
   * The instruction as written with its continuation lines joined (escape+newline removed,
   * comment lines inside dropped), without heredoc bodies. Used for history and cache keys.
   */
  original: string;
  /** Every `--flag[=value]` as written (raw); repeated flags collect in order. Bare flags give ''. */
  flags: Record<string, string[]>;
}

export interface FromInstruction extends Base {
  kind: 'FROM';
  /** Expands (with global ARGs only). `scratch` is literal. */
  image: string;
  /** `--platform=`, expands. */
  platform?: string;
  /** As written (not lower-cased); Stage.name is the lower-cased form. */
  as?: string;
}

export interface RunInstruction extends Base {
  kind: 'RUN';
  /** Not substituted. With heredocs, a shell-form command holds the first line (e.g. `<<EOF` or `python3 <<EOF`). */
  cmd: CommandForm;
  heredocs: Heredoc[];
  mounts: MountSpec[];
  /** `--network=none|host|default`. */
  network?: string;
  /** `--security=insecure|sandbox`. */
  security?: string;
}

export interface CmdInstruction extends Base {
  kind: 'CMD' | 'ENTRYPOINT';
  cmd: CommandForm;
}

export interface ShellInstruction extends Base {
  kind: 'SHELL';
  /** JSON form is required. */
  args: string[];
}

export interface CopyInstruction extends Base {
  kind: 'COPY' | 'ADD';
  /** Raw words (JSON form or whitespace-split), heredoc markers removed; each through `expandWord`, then globbed. */
  sources: string[];
  /** Raw, expands. */
  dest: string;
  /** `COPY <<EOF /dest`: each heredoc becomes a file named `name` in dest; `expand` ones go through `expandHeredoc`. */
  heredocs: Heredoc[];
  from?: string;
  chown?: string;
  chmod?: string;
  link: boolean;
  /** COPY --parents. */
  parents: boolean;
  exclude: string[];
  /** ADD --checksum=sha256:... */
  checksum?: string;
  /** ADD --keep-git-dir. */
  keepGitDir: boolean;
  /** ADD --unpack=true|false (undefined: auto — local archives are extracted, URLs are not). */
  unpack?: boolean;
}

/** ENV/LABEL pair: both through `expandWord` (which also removes quotes: `LABEL "a b"="c d"`). */
export interface KeyValue {
  key: string;
  value: string;
}

export interface EnvInstruction extends Base {
  kind: 'ENV' | 'LABEL';
  pairs: KeyValue[];
  /** Keys and values used as written, not expanded (`build --label`, as Docker adds them). */
  literal?: boolean;
}

export interface ArgDecl {
  name: string;
  /** Raw, expands; undefined for `ARG name` without a default. */
  default?: string;
}

export interface ArgInstruction extends Base {
  kind: 'ARG';
  args: ArgDecl[];
}

export interface ListInstruction extends Base {
  kind: 'EXPOSE' | 'VOLUME';
  /**
   * Raw words (JSON form accepted for VOLUME). EXPOSE: each through `expandWords` (one
   * variable may hold several ports); VOLUME: each through `expandWord`.
   */
  values: string[];
}

export interface ValueInstruction extends Base {
  kind: 'USER' | 'WORKDIR' | 'STOPSIGNAL' | 'MAINTAINER';
  /** Raw rest of the line; expands (MAINTAINER: no). */
  value: string;
}

/** Durations in nanoseconds, as the image config stores them. */
export type HealthcheckInstruction = Base & { kind: 'HEALTHCHECK' } & (
    | { test: 'NONE' }
    | {
        test: 'CMD';
        cmd: CommandForm;
        interval?: number;
        timeout?: number;
        startPeriod?: number;
        startInterval?: number;
        retries?: number;
      }
  );

export interface OnbuildInstruction extends Base {
  kind: 'ONBUILD';
  trigger: Instruction;
  /** The trigger as written after `ONBUILD ` (what the image config's OnBuild list stores). */
  expression: string;
}

export type Instruction =
  | FromInstruction
  | RunInstruction
  | CmdInstruction
  | ShellInstruction
  | CopyInstruction
  | EnvInstruction
  | ArgInstruction
  | ListInstruction
  | ValueInstruction
  | HealthcheckInstruction
  | OnbuildInstruction;

export type InstructionKind = Instruction['kind'];

/** Looks a variable up in the ARG/ENV values in scope; undefined when unset. */
export type VarLookup = (name: string) => string | undefined;

export interface ParseOptions {
  /** Name used in error messages (`Containerfile:3: ...`); default `Dockerfile`. */
  filename?: string;
}
