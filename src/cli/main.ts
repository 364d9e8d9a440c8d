import { Command, CommanderError, Option } from 'commander';
import { App, type GlobalOptions } from './app.js';
import { VERBS } from './registry.js';
import { SIGPIPE_STATUS, pipeBroken, watchBrokenPipe } from './broken-pipe.js';

/** Docker's exit codes: 125 when skiff itself fails; a container's own status passes through. */
const ENGINE_ERROR = 125;

function buildProgram(app: App): Command {
  const program = new Command('skiff')
    .description('Manage containers, images and their storage, daemonless or through a Docker-compatible API')
    .usage('[options] command')
    .option('--root <dir>', 'storage root (env SKIFF_ROOT)', undefined)
    .option('--runroot <dir>', 'run-state root (env SKIFF_RUNROOT)', undefined)
    .option('--storage-driver <name>', 'storage driver for a new root: overlay or vfs')
    .addOption(
      new Option('--log-level <level>', 'log messages at and above this level')
        .choices(['debug', 'info', 'warn', 'error'])
        .default('warn'),
    )
    .helpOption('-h, --help', 'help for skiff')
    .enablePositionalOptions()
    .showSuggestionAfterError(true)
    .exitOverride()
    .configureOutput({
      writeOut: (s) => app.out(s),
      writeErr: (s) => app.err(s),
      outputError: (s, write) => write(s.startsWith('error: ') ? `Error: ${s.slice(7)}` : s),
    });
  return program;
}

/** The first word that is not a global option or its value. */
function verbOf(argv: string[]): string | undefined {
  const withValue = new Set(['--root', '--runroot', '--storage-driver', '--log-level']);
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (withValue.has(a)) {
      i++;
      continue;
    }
    if (a.startsWith('-')) continue;
    return a;
  }
  return undefined;
}

/** Verbs that touch no storage: a user who is not root runs them without entering the namespace. */
const OUTSIDE_USERNS = new Set(['version', 'help', 'completion']);

/**
 * A user who is not root runs every verb that touches storage inside their user namespace:
 * this process starts the same command there and passes its status on.
 */
async function inUserNamespace(argv: string[], verb: string | undefined): Promise<number | undefined> {
  if ((process.getuid?.() ?? 0) === 0 || !verb || OUTSIDE_USERNS.has(verb) || !VERBS[verb]) return undefined;
  const { userNamespaceEntry } = await import('../engine/rootless/userns.js');
  const entry = await userNamespaceEntry();
  if (!entry) return undefined;
  const { reexec } = await import('./userns-reexec.js');
  return reexec(entry, argv);
}

export async function main(argv: string[]): Promise<number> {
  const verb0 = verbOf(argv);
  try {
    const status = await inUserNamespace(argv, verb0);
    if (status !== undefined) return status;
  } catch (e) {
    return reportError(new App(() => ({ logLevel: 'warn' })), e);
  }
  const holder: { program?: Command } = {};
  const app = new App(() => holder.program!.opts<GlobalOptions>());
  const program = (holder.program = buildProgram(app));
  const verb = verbOf(argv);
  const entry = verb ? VERBS[verb] : undefined;
  try {
    if (entry) {
      await (await entry.load()).register(program, app, undefined, argv);
    } else {
      // Help, or an unknown verb: list every verb without loading any of them.
      for (const [name, v] of Object.entries(VERBS)) if (!v.hidden) program.command(name).description(v.summary);
      if (verb) throw new CommanderError(ENGINE_ERROR, 'skiff.unknownCommand', `unknown command "${verb}" for "skiff"`);
    }
    if (argv.length === 0) {
      program.outputHelp();
      return 0;
    }
    await program.parseAsync(argv, { from: 'user' });
    return 0;
  } catch (e) {
    return reportError(app, e);
  } finally {
    app.close();
  }
}

function reportError(app: App, e: unknown): number {
  // Whatever failed after our reader went away failed because of it (a pipeline's EPIPE too).
  if (pipeBroken()) return SIGPIPE_STATUS;
  if (e instanceof CommanderError) {
    if (e.code === 'commander.helpDisplayed' || e.code === 'commander.help' || e.code === 'commander.version') return 0;
    if (e.code === 'skiff.unknownCommand') app.err(`Error: ${e.message}\nRun 'skiff --help' for usage.\n`);
    return ENGINE_ERROR;
  }
  const err = e as { exitCode?: unknown; name?: string; message?: string; stack?: string; cause?: unknown };
  if (typeof err?.exitCode === 'number') {
    if (err.message) app.err(`Error: ${err.message}\n`);
    return err.exitCode;
  }
  const debug = /(^|\s)--log-level(=|\s)debug(\s|$)/.test(process.argv.join(' '));
  app.err(`Error: ${err?.message ?? String(e)}\n`);
  if (debug && err?.stack) app.err(err.stack + '\n');
  return ENGINE_ERROR;
}

watchBrokenPipe();

void main(process.argv.slice(2)).then((code) => {
  process.exitCode = pipeBroken() ? SIGPIPE_STATUS : code;
});
