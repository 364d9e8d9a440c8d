import type { Command } from 'commander';
import type { App } from '../../app.js';
import { examples } from '../common.js';
import { tabwrite } from '../../format/tabwriter.js';
import type { TrustSetOptions } from '../../../engine/images/trust.js';

interface ShowFlags {
  json?: boolean;
  raw?: boolean;
  noheading?: boolean;
  policypath?: string;
  registrypath?: string;
}

interface SetFlags {
  type: string;
  pubkeysfile?: string[];
  policypath?: string;
}

/** `image trust show` and `image trust set` (Podman's): the signature policy pull enforces. */
export function register(parent: Command, app: App, name = 'trust'): void {
  const trust = parent.command(name).description('Show or change the image signature policy');
  const set = trust
    .command('set')
    .description('Set the requirement of a scope ("default", a registry, or a registry/repository) in the policy file')
    .argument('<SCOPE>', '"default", or a registry[/repository] scope of the docker transport')
    .option('-t, --type <type>', 'accept (insecureAcceptAnything), reject, signedBy (GPG keys) or sigstoreSigned (sigstore public keys)', 'signedBy')
    .option('-f, --pubkeysfile <path>', 'a public key file (repeat for several); required by signedBy and sigstoreSigned', (v: string, acc: string[] = []) => [...acc, v])
    .option('--policypath <path>', 'policy.json to change (default: $SKIFF_SIGNATURE_POLICY, /etc/skiff/policy.json, /etc/containers/policy.json, else /etc/skiff/policy.json is created)')
    .action(async (scope: string, f: SetFlags) => {
      const engine = await app.engine();
      await engine.images.trustSet(scope, {
        type: f.type as TrustSetOptions['type'],
        ...(f.pubkeysfile ? { pubkeysfiles: f.pubkeysfile } : {}),
        ...(f.policypath ? { policy: f.policypath } : {}),
      });
    });
  examples(set, [
    'skiff image trust set -t reject default',
    'skiff image trust set -t signedBy -f /etc/pki/acme.gpg registry.acme.example',
    'skiff image trust set -t sigstoreSigned -f acme.pub registry.acme.example/team',
    'skiff image trust set -t accept localhost:5000',
  ]);
  const show = trust
    .command('show')
    .description('Show the signature policy in force, one scope per line')
    .option('-j, --json', 'output as JSON')
    .option('--raw', 'output the policy file as it is')
    .option('-n, --noheading', 'do not print column headings')
    .option('--policypath <path>', 'policy.json to show (default: $SKIFF_SIGNATURE_POLICY, /etc/skiff/policy.json, /etc/containers/policy.json)')
    .option('--registrypath <dir>', 'registries.d directory for the signature stores (default: $SKIFF_REGISTRIES_D, else the system\'s)')
    .action(async (f: ShowFlags) => {
      const engine = await app.engine();
      const shown = await engine.images.trustShow({
        ...(f.policypath ? { policy: f.policypath } : {}),
        ...(f.registrypath ? { registriesDir: f.registrypath } : {}),
      });
      if (f.raw) {
        app.out(shown.raw ?? '{"default":[{"type":"insecureAcceptAnything"}]}\n');
        return;
      }
      if (f.json) {
        // Podman's field names
        const json = shown.entries.map((e) => ({
          transport: e.transport,
          ...(e.transport === 'all' ? { name: '* (default)', repo_name: 'default' } : e.transport === 'repository' ? { name: e.name, repo_name: e.name } : {}),
          ...(e.gpgId.length ? { gpg_id: e.gpgId.join(', ') } : {}),
          ...(e.store ? { sigstore: e.store } : {}),
          type: e.type,
        }));
        app.print(JSON.stringify(json, null, 2));
        return;
      }
      const lines = shown.entries.map((e) => [e.transport, e.transport === 'repository' || e.transport === 'all' ? e.name : '', e.type, e.gpgId.join(', '), e.store ?? ''].join('\t'));
      if (!f.noheading) lines.unshift(['TRANSPORT', 'NAME', 'TYPE', 'ID', 'STORE'].join('\t'));
      // Podman's table: tabwriter minwidth 12, padding 2
      app.out(tabwrite(lines.join('\n') + '\n', { minwidth: 12, padding: 2, padchar: ' ' }));
    });
  examples(show, ['skiff image trust show', 'skiff image trust show --json --policypath ./policy.json']);
}
