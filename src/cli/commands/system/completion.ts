import type { Command } from 'commander';
import type { App } from '../../app.js';
import { examples } from '../common.js';
import { VERBS } from '../../registry.js';
import { invalidArgument } from '../../../core/errdefs.js';

interface Node {
  name: string;
  flags: string[];
  subs: Node[];
}

function tree(cmd: Command): Node {
  return {
    name: cmd.name(),
    flags: cmd.options.flatMap((o) => [o.short, o.long].filter((f): f is string => !!f)),
    subs: cmd.commands.map(tree),
  };
}

function bash(root: Node): string {
  const cases = root.subs
    .map((s) => {
      const words = [...s.subs.map((x) => x.name), ...s.flags].join(' ');
      const nested = s.subs
        .map((x) => `        ${x.name}) words="${x.flags.join(' ')}" ;;`)
        .join('\n');
      return `    ${s.name})\n      words="${words}"\n      case "\${COMP_WORDS[2]}" in\n${nested}\n      esac ;;`;
    })
    .join('\n');
  return `# bash completion for skiff
_skiff() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" words
  if [ "$COMP_CWORD" -eq 1 ]; then
    words="${[...root.subs.map((s) => s.name), ...root.flags].join(' ')}"
  else
    case "\${COMP_WORDS[1]}" in
${cases}
    esac
  fi
  COMPREPLY=( $(compgen -W "$words" -- "$cur") )
}
complete -o default -F _skiff skiff
`;
}

function zsh(root: Node): string {
  return `#compdef skiff
# zsh completion for skiff
autoload -U bashcompinit && bashcompinit
${bash(root)}`;
}

function fish(root: Node): string {
  const lines = ['# fish completion for skiff', 'complete -c skiff -f'];
  for (const s of root.subs) {
    lines.push(`complete -c skiff -n '__fish_use_subcommand' -a '${s.name}'`);
    for (const x of s.subs) lines.push(`complete -c skiff -n '__fish_seen_subcommand_from ${s.name}' -a '${x.name}'`);
    for (const f of s.flags.filter((f) => f.startsWith('--'))) {
      lines.push(`complete -c skiff -n '__fish_seen_subcommand_from ${s.name}' -l '${f.slice(2)}'`);
    }
  }
  return lines.join('\n') + '\n';
}

export function register(parent: Command, app: App, name = 'completion'): void {
  const cmd = parent
    .command(name)
    .description('Generate the completion script for bash, zsh or fish')
    .argument('<shell>', 'bash, zsh or fish')
    .action(async (shell: string) => {
      const gen = { bash, zsh, fish }[shell];
      if (!gen) throw invalidArgument(`unsupported shell "${shell}": use bash, zsh or fish`);
      // The whole command tree, every verb loaded (only this verb pays for that).
      const { Command: Cmd } = await import('commander');
      const root = new Cmd('skiff').enablePositionalOptions();
      for (const o of parent.options) root.addOption(o);
      for (const [verb, entry] of Object.entries(VERBS)) {
        if (verb === 'completion') continue;
        await (await entry.load()).register(root, app, undefined, []);
      }
      root.command('completion');
      app.out(gen(tree(root)));
    });
  examples(cmd, ['skiff completion bash > /etc/bash_completion.d/skiff', 'skiff completion fish > ~/.config/fish/completions/skiff.fish']);
}
