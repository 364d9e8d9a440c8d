import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadComposeProject } from './loader.js';
import type { ComposeFiles, ComposeLoadOptions } from './types.js';

function mem(files: Record<string, string>): ComposeFiles {
  return { read: (p) => files[p] };
}
function load(files: Record<string, string>, opts: Partial<ComposeLoadOptions> = {}) {
  return loadComposeProject({ files: ['/p/compose.yaml'], environment: {}, ...opts }, mem(files));
}

test('docs "Merge": three -f files — mappings merged, sequences appended, ports/volumes by unique key, command replaced', () => {
  const { project } = load(
    {
      '/p/a.yaml': `
services:
  web:
    image: web:1
    command: ["run", "a"]
    environment: [A=1, B=1]
    dns: [1.1.1.1]
    ports: ["8080:80"]
    volumes: ["./a:/data", "logs:/logs"]
    labels: {x: "1"}
volumes: {logs: {}}
`,
      '/p/b.yaml': `
services:
  web:
    command: run b
    environment: {B: "2", C: "2"}
    dns: [8.8.8.8]
    ports: ["8080:80", "9090:90"]
    volumes: ["./b:/data"]
`,
      '/p/c.yaml': `
services:
  web:
    image: web:3
    entrypoint: /bin/sh
    labels: [y=3]
    dns: [1.1.1.1]
  worker:
    image: worker
`,
    },
    { files: ['/p/a.yaml', '/p/b.yaml', '/p/c.yaml'] },
  );
  const web = project.services.web!;
  assert.equal(web.image, 'web:3');
  assert.deepEqual(web.command, ['run', 'b']);
  assert.deepEqual(web.entrypoint, ['/bin/sh']);
  assert.deepEqual(web.environment, { A: '1', B: '2', C: '2' });
  assert.deepEqual(web.dns, ['1.1.1.1', '8.8.8.8']);
  assert.deepEqual(web.labels, { x: '1', y: '3' });
  assert.deepEqual(
    web.ports!.map((p) => `${p.published}:${p.target}`),
    ['8080:80', '9090:90'],
  );
  assert.deepEqual(
    web.volumes!.map((v) => `${v.source}:${v.target}`),
    ['/p/b:/data', 'logs:/logs'],
  );
  assert.deepEqual(Object.keys(project.services), ['web', 'worker']);
});

test('Compose v2 merge tags: !reset removes what an earlier file set, !override replaces a sequence whole', () => {
  const { project } = load(
    {
      '/p/a.yaml': 'services:\n  web:\n    image: a\n    ports: ["80:80", "81:81"]\n    environment: {A: "1"}\n',
      '/p/b.yaml': 'services:\n  web:\n    ports: !override ["82:82"]\n    environment: !reset {}\n',
    },
    { files: ['/p/a.yaml', '/p/b.yaml'] },
  );
  assert.deepEqual(project.services.web!.ports!.map((p) => p.target), [82]);
  assert.equal(project.services.web!.environment, undefined);
});

test('YAML anchors, aliases and merge keys (<<, also a list) as in docs "Fragments"', () => {
  const { project } = load({
    '/p/compose.yaml': `
x-base: &base
  image: base
  environment: {A: "1"}
x-log: &log
  logging: {driver: json-file}
services:
  one:
    <<: [*base, *log]
    environment: {B: "2"}
  two:
    <<: *base
    image: other
`,
  });
  assert.equal(project.services.one!.image, 'base');
  assert.deepEqual(project.services.one!.logging, { driver: 'json-file' });
  // A key beside `<<` replaces the merged one (YAML merge keys are not deep).
  assert.deepEqual(project.services.one!.environment, { B: '2' });
  assert.equal(project.services.two!.image, 'other');
  assert.deepEqual(project['x-base'], { image: 'base', environment: { A: '1' } });
});

test('docs "extends": same file and another file; local values win; the other file\'s paths are relative to it', () => {
  const { project } = load({
    '/p/compose.yaml': `
services:
  base:
    image: base
    environment: {A: "1", B: "1"}
    command: base
  web:
    extends: base
    environment: {B: "2"}
  api:
    extends: {file: ../common/common.yaml, service: app}
    ports: ["81:81"]
`,
    '/common/common.yaml': `
services:
  app:
    extends: root
    build: ./app
    volumes: [./conf:/conf]
    ports: ["80:80"]
  root:
    image: root
`,
  });
  const web = project.services.web!;
  assert.deepEqual(web.environment, { A: '1', B: '2' });
  assert.deepEqual(web.command, ['base']);
  assert.equal(web.extends, undefined);
  const api = project.services.api!;
  assert.equal(api.image, 'root');
  assert.equal(api.build!.context, '/common/app');
  assert.equal(api.volumes![0]!.source, '/common/conf');
  assert.deepEqual(api.ports!.map((p) => p.target), [80, 81]);
});

test('extends: a cycle and a missing base are errors', () => {
  assert.throws(
    () => load({ '/p/compose.yaml': 'services:\n  a: {extends: b, image: x}\n  b: {extends: a, image: x}\n' }),
    /Circular reference with extends/,
  );
  assert.throws(() => load({ '/p/compose.yaml': 'services:\n  a: {extends: nope, image: x}\n' }), /service "nope" not found/);
});

test('docs "include": an included project keeps its own directory and .env; a conflicting service is an error', () => {
  const { project } = load(
    {
      '/p/compose.yaml': 'include:\n  - ../lib/compose.yaml\nservices:\n  web:\n    image: web\n    depends_on: [db]\n',
      '/lib/compose.yaml': 'services:\n  db:\n    image: "db:${DB_TAG}"\n    volumes: [./init:/init, data:/var/lib]\nvolumes:\n  data: {}\n',
      '/lib/.env': 'DB_TAG=from-lib\n',
    },
  );
  assert.equal(project.services.db!.image, 'db:from-lib');
  assert.equal(project.services.db!.volumes![0]!.source, '/lib/init');
  assert.equal(project.volumes!.data!.name, 'p_data');
  // The including project's variables win over the included project's .env.
  const { project: p2 } = load(
    {
      '/p/compose.yaml': 'include: [{path: ../lib/compose.yaml}]\n',
      '/lib/compose.yaml': 'services:\n  db:\n    image: "db:${DB_TAG}"\n',
      '/lib/.env': 'DB_TAG=from-lib\n',
    },
    { environment: { DB_TAG: 'from-os' } },
  );
  assert.equal(p2.services.db!.image, 'db:from-os');
  assert.throws(
    () =>
      load({
        '/p/compose.yaml': 'include: [lib.yaml]\nservices:\n  db: {image: mine}\n',
        '/p/lib.yaml': 'services:\n  db: {image: theirs}\n',
      }),
    /services\.db conflicts with imported resource/,
  );
});

const PROFILED = `
services:
  web: {image: web}
  debug: {image: dbg, profiles: [debug]}
  mock: {image: mock, profiles: [dev], depends_on: [db]}
  db: {image: db, profiles: [dev]}
  admin: {image: admin, profiles: [tools], depends_on: [db]}
`;

test('docs "Using profiles": services without profiles are always on; --profile and COMPOSE_PROFILES activate', () => {
  const names = (o: Partial<ComposeLoadOptions>) => Object.keys(load({ '/p/compose.yaml': PROFILED }, o).project.services);
  assert.deepEqual(names({}), ['web']);
  assert.deepEqual(names({ profiles: ['debug'] }), ['debug', 'web']);
  assert.deepEqual(names({ environment: { COMPOSE_PROFILES: 'debug,dev' } }), ['db', 'debug', 'mock', 'web']);
  assert.deepEqual(names({ profiles: ['*'], services: [] }).length, 5);
  const loaded = load({ '/p/compose.yaml': PROFILED });
  assert.deepEqual(loaded.allProfiles, ['debug', 'dev', 'tools']);
  assert.deepEqual(Object.keys(loaded.disabledServices).sort(), ['admin', 'db', 'debug', 'mock']);
});

test('docs "Using profiles": a service named explicitly enables its profiles; a dependency in another profile is an error', () => {
  const names = (o: Partial<ComposeLoadOptions>) => Object.keys(load({ '/p/compose.yaml': PROFILED }, o).project.services);
  assert.deepEqual(names({ services: ['mock'] }), ['db', 'mock']);
  assert.throws(() => names({ services: ['admin'] }), /service "db" was pulled in as a dependency of service "admin" but is not enabled/);
  assert.deepEqual(names({ services: ['admin'], profiles: ['dev'] }), ['admin', 'db']);
  assert.throws(() => names({ services: ['nope'] }), /no such service: nope/);
});

test('docs "Environment variables precedence": the OS environment wins over env files; --env-file replaces .env, a later --env-file wins', () => {
  const files = {
    '/p/compose.yaml': 'services:\n  web:\n    image: "${IMG}:${TAG}"\n    environment:\n      - FROM_ENV=${ONLY_DOTENV:-none}\n',
    '/p/.env': 'IMG=dotenv\nTAG=dotenv\nONLY_DOTENV=yes\n',
    '/p/alt.env': 'IMG=alt\nTAG=alt\n',
    '/p/alt2.env': 'TAG=alt2\n',
  };
  assert.equal(load(files).project.services.web!.image, 'dotenv:dotenv');
  assert.equal(load(files, { environment: { TAG: 'os' } }).project.services.web!.image, 'dotenv:os');
  const alt = load(files, { envFiles: ['/p/alt.env', '/p/alt2.env'] }).project.services.web!;
  assert.equal(alt.image, 'alt:alt2');
  assert.deepEqual(alt.environment, { FROM_ENV: 'none' });
  assert.throws(() => load(files, { envFiles: ['/p/missing.env'] }), /couldn't find env file: \/p\/missing.env/);
});

test('docs "Set environment variables": env_file read into environment, environment wins, a bare name takes the shell value', () => {
  const { project } = load(
    {
      '/p/compose.yaml': 'services:\n  web:\n    image: w\n    env_file: [web.env, {path: opt.env, required: false}]\n    environment: [B=env, SHELL_VAR, UNSET_VAR]\n',
      '/p/web.env': 'A=file\nB=file\n',
    },
    { environment: { SHELL_VAR: 'shell' } },
  );
  assert.deepEqual(project.services.web!.environment, { A: 'file', B: 'env', SHELL_VAR: 'shell', UNSET_VAR: null });
  assert.equal(project.services.web!.env_file, undefined);
  assert.throws(() => load({ '/p/compose.yaml': 'services:\n  web: {image: w, env_file: gone.env}\n' }), /env file \/p\/gone.env not found/);
});

test('docs "Specify a project name": -p over COMPOSE_PROJECT_NAME over name: over the directory, which is normalised', () => {
  const files = { '/Work/My Project.v2/compose.yaml': 'name: from-file\nservices: {web: {image: w}}\n', '/Work/My Project.v2/.env': '' };
  const opts = { files: ['/Work/My Project.v2/compose.yaml'] };
  assert.equal(load(files, { ...opts, projectName: 'flag' }).project.name, 'flag');
  assert.equal(load(files, { ...opts, environment: { COMPOSE_PROJECT_NAME: 'env' } }).project.name, 'env');
  assert.equal(load(files, opts).project.name, 'from-file');
  const noName = { '/Work/_My Project.v2/compose.yaml': 'services: {web: {image: w}}\n' };
  assert.equal(load(noName, { files: ['/Work/_My Project.v2/compose.yaml'] }).project.name, 'myprojectv2');
  assert.throws(() => load(files, { ...opts, projectName: 'Bad Name' }), /invalid project name "Bad Name"/);
});

test('the legacy version: key is accepted and ignored, with Docker Compose v2\'s warning', () => {
  const loaded = load({ '/p/compose.yaml': 'version: "3.9"\nservices: {web: {image: w}}\n' });
  assert.equal('version' in loaded.project, false);
  assert.match(loaded.warnings.join('\n'), /the attribute `version` is obsolete, it will be ignored/);
});

test('the Compose Specification schema refuses unknown attributes and wrong types, naming the path', () => {
  assert.throws(() => load({ '/p/compose.yaml': 'services:\n  web: {image: w, imagee: x}\n' }), /services\.web additional properties 'imagee' not allowed/);
  assert.throws(() => load({ '/p/compose.yaml': 'services:\n  web: {image: w, restart: [no]}\n' }), /services\.web\.restart must be a string/);
  assert.throws(() => load({ '/p/compose.yaml': 'services:\n  web: {image: w}\nbogus: 1\n' }), /\(root\) additional properties 'bogus' not allowed/);
});

test('consistency as compose-go checks it: undefined dependencies, networks and volumes, no image nor build', () => {
  const bad = (y: string) => () => load({ '/p/compose.yaml': y });
  assert.throws(bad('services:\n  web: {image: w, depends_on: [db]}\n'), /service "web" depends on undefined service "db": invalid compose project/);
  assert.throws(bad('services:\n  web: {image: w, networks: [front]}\n'), /service "web" refers to undefined network front/);
  assert.throws(bad('services:\n  web: {image: w, volumes: ["data:/d"]}\n'), /service "web" refers to undefined volume data/);
  assert.throws(bad('services:\n  web: {command: x}\n'), /has neither an image nor a build context specified/);
});

test('compose-go casts interpolated strings back to the model\'s types (booleans y/yes/true/on, integers)', () => {
  const files = {
    '/p/compose.yaml': `
services:
  web:
    image: w
    tty: \${TTY}
    read_only: "off"
    ports: [{target: "\${T}", published: 8080}]
    healthcheck: {retries: "\${R:-3}"}
    volumes: [{type: volume, source: v, target: /v, read_only: "\${RO}"}]
volumes:
  v: {external: "true"}
`,
  };
  const web = load(files, { environment: { TTY: 'yes', T: '80', RO: 'True' } }).project.services.web!;
  assert.equal(web.tty, true);
  assert.equal(web.read_only, false);
  assert.deepEqual(web.ports, [{ mode: 'ingress', target: 80, published: '8080', protocol: 'tcp' }]);
  assert.equal(web.healthcheck!.retries, 3);
  assert.equal(web.volumes![0]!.read_only, true);
  assert.throws(() => load(files, { environment: { TTY: 'maybe', T: '80', RO: 'true' } }), /failed to cast to expected type: services\.web\.tty: invalid boolean: maybe/);
});

test('spec merge of depends_on, networks and logging: list and mapping forms merge by name; another logging driver drops the options', () => {
  const { project } = load(
    {
      '/p/a.yaml': `
services:
  web:
    image: w
    depends_on: [db]
    networks: [front]
    logging: {driver: json-file, options: {max-size: 1m}}
  db: {image: d}
  cache: {image: c}
networks: {front: {}, back: {}}
`,
      '/p/b.yaml': `
services:
  web:
    depends_on: {cache: {condition: service_healthy}}
    networks: {back: {aliases: [api]}}
    logging: {driver: syslog}
`,
    },
    { files: ['/p/a.yaml', '/p/b.yaml'] },
  );
  const web = project.services.web!;
  assert.deepEqual(web.depends_on, {
    cache: { condition: 'service_healthy', required: true },
    db: { condition: 'service_started', required: true },
  });
  assert.deepEqual(web.networks, { back: { aliases: ['api'] }, front: null });
  assert.deepEqual(web.logging, { driver: 'syslog' });
});

test('compose-go: an enabled service depending on a service whose profile is inactive is an inconsistent project', () => {
  assert.throws(
    () => load({ '/p/compose.yaml': 'services:\n  web: {image: w, depends_on: [db]}\n  db: {image: d, profiles: [dev]}\n' }),
    /service "web" depends on undefined service "db": invalid compose project/,
  );
  const ok = load({ '/p/compose.yaml': 'services:\n  web: {image: w, depends_on: {db: {condition: service_started, required: false}}}\n  db: {image: d, profiles: [dev]}\n' });
  assert.deepEqual(Object.keys(ok.project.services), ['web']);
});

test('docs "secrets" long syntax: mode 0440 is octal (yaml.v3 keeps YAML 1.1 octals), yes/no stay strings', () => {
  const { project } = load({
    '/p/compose.yaml': `
services:
  web:
    image: w
    secrets: [{source: s, target: t, mode: 0440}]
    labels: {flag: yes}
secrets:
  s: {file: ./s.txt}
`,
  });
  assert.equal(project.services.web!.secrets![0]!.mode, 0o440);
  assert.deepEqual(project.services.web!.labels, { flag: 'yes' });
});
