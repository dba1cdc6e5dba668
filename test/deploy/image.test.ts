// The container image, checked without a Docker engine: the Dockerfile's stages,
// the runtime stage (Node 24, production dependencies only, non-root, exec-form
// entrypoint at the built server), and the build context .dockerignore leaves.
import t from 'tap';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { builtinModules, createRequire } from 'node:module';
import { join, posix, relative, sep } from 'node:path';
import { DockerfileParser, type Instruction } from 'dockerfile-ast';
import ts from 'typescript';
import { parse as parseYaml } from 'yaml';
import { repoRoot } from '../helpers/paths.js';
import { deploymentOf, loadManifest, serverContainer } from './manifests.js';

// CommonJS (module.exports = factory) with a typing that claims a default export.
const dockerignore = createRequire(import.meta.url)('@balena/dockerignore') as typeof import('@balena/dockerignore').default;

interface Stage {
  name: string | null;
  image: string;
  instructions: Instruction[];
}

const dockerfileText = readFileSync(join(repoRoot, 'Dockerfile'), 'utf8');
const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as {
  type?: string; bin: Record<string, string>; dependencies: Record<string, string>; devDependencies: Record<string, string>;
};

function parseStages(text: string): Stage[] {
  const dockerfile = DockerfileParser.parse(text);
  const args = new Map<string, string>();
  for (const arg of dockerfile.getInitialARGs()) {
    const p = arg.getProperty();
    if (p?.getName() && p.getValue() !== null) args.set(p.getName(), p.getValue()!);
  }
  const expand = (s: string) => s.replace(/\$\{(\w+)\}|\$(\w+)/g, (m, a?: string, b?: string) => args.get((a ?? b)!) ?? m);
  const stages: Stage[] = [];
  for (const ins of dockerfile.getInstructions()) {
    const keyword = ins.getKeyword();
    if (keyword === 'FROM') {
      const from = dockerfile.getFROMs().find((f) => f.getRange().start.line === ins.getRange().start.line)!;
      stages.push({ name: from.getBuildStage(), image: expand(from.getImage() ?? ''), instructions: [] });
    } else if (stages.length > 0) {
      stages.at(-1)!.instructions.push(ins);
    }
  }
  return stages;
}

const of = (stage: Stage, keyword: string) => stage.instructions.filter((i) => i.getKeyword() === keyword);
const argsOf = (i: Instruction) => i.getArguments().map((a) => a.getValue());
const flagOf = (i: Instruction, name: string) =>
  (i as Instruction & { getFlags(): { getName(): string; getValue(): string | null }[] }).getFlags().find((f) => f.getName() === name)?.getValue() ?? null;
const workdir = (stage: Stage) => argsOf(of(stage, 'WORKDIR').at(-1)!)[0] ?? '/';

/** COPY sources and destination, the destination resolved against the stage's WORKDIR. */
function copies(stage: Stage): { from: string | null; sources: string[]; dest: string }[] {
  return of(stage, 'COPY').map((c) => {
    const a = argsOf(c);
    const dest = posix.resolve(workdir(stage), a.at(-1)!);
    return { from: flagOf(c, 'from'), sources: a.slice(0, -1), dest };
  });
}

const stages = parseStages(dockerfileText);
const byName = (name: string) => stages.find((s) => s.name === name);
const runtime = stages.at(-1)!;

t.test('the Dockerfile parses into build, deps and runtime stages', async (t) => {
  t.same(stages.map((s) => s.name), ['build', 'deps', 'runtime'], 'three named stages');
  const control = parseStages('ARG B=node:24-slim\nFROM ${B} AS a\nRUN x\nFROM scratch\nCOPY --from=a /x /y\n');
  t.same(control.map((s) => [s.name, s.image, s.instructions.map((i) => i.getKeyword())]),
    [['a', 'node:24-slim', ['RUN']], [null, 'scratch', ['COPY']]], 'stages, ARG defaults and instructions are read as written (control)');
  for (const s of stages) t.notMatch(s.image, /\$/, `${s.name}: base image fully resolved (${s.image})`);
  t.match(byName('build')?.image, /^node:24(\.\d+)*-/, 'build stage on Node 24');
  t.match(byName('deps')?.image, /^node:24(\.\d+)*-/, 'deps stage on Node 24');
  t.match(runtime.image, /^(gcr\.io\/distroless\/nodejs24-debian\d+(:nonroot)?|node:24(\.\d+)*-slim)$/, 'runtime on distroless Node 24 or node:24-slim');
});

t.test('build stage compiles the sources it copies', async (t) => {
  const build = byName('build')!;
  const runs = of(build, 'RUN').map((r) => argsOf(r).join(' '));
  t.ok(runs.some((r) => /^npm ci\b/.test(r)), 'installs with npm ci from the lockfile');
  t.ok(runs.some((r) => /\btsc\b.*-p tsconfig\.json/.test(r)), 'compiles with tsc -p tsconfig.json');
  const sources = copies(build).flatMap((c) => c.sources);
  for (const f of ['package.json', 'package-lock.json', 'tsconfig.json', 'src']) t.ok(sources.includes(f), `copies ${f}`);
  t.ok(copies(build).every((c) => c.from === null), 'from the build context only');
  // The tree is copied to WORKDIR as in the repository, so outDir dist keeps its meaning.
  t.ok(copies(build).some((c) => c.sources.includes('tsconfig.json') && c.dest === workdir(build)), 'tsconfig.json at WORKDIR');
  t.ok(copies(build).some((c) => c.sources.includes('src') && c.dest === posix.join(workdir(build), 'src')), 'src at WORKDIR/src');
});

t.test('runtime stage: production dependencies only, non-root, read-only friendly', async (t) => {
  const deps = byName('deps')!;
  const depRuns = of(deps, 'RUN').map((r) => argsOf(r));
  t.ok(depRuns.some((a) => a[0] === 'npm' && a[1] === 'ci' && a.includes('--omit=dev') && a.includes('--ignore-scripts')),
    'deps stage: npm ci --omit=dev --ignore-scripts');

  t.same(of(runtime, 'RUN'), [], 'runtime stage runs nothing (no shell in distroless)');
  const c = copies(runtime);
  const nodeModules = c.find((x) => x.dest === posix.join(workdir(runtime), 'node_modules'));
  t.equal(nodeModules?.from, 'deps', 'node_modules come from the production-only deps stage');
  t.notOk(c.some((x) => x.from === 'build' && x.sources.some((s) => /node_modules/.test(s))), 'never from the build stage (dev dependencies)');
  t.ok(c.some((x) => x.from === null && x.sources.includes('package.json') && x.dest === workdir(runtime)),
    'package.json beside dist (it declares "type": "module")');
  t.equal(pkg.type, 'module', 'which package.json does');

  const users = of(runtime, 'USER');
  t.equal(users.length, 1, 'one USER');
  const [uid, gid] = (argsOf(users[0]!)[0] ?? '').split(':');
  t.match(uid, /^\d+$/, 'numeric uid (so the kubelet can enforce runAsNonRoot)');
  t.not(Number(uid), 0, 'not root');
  t.not(Number(gid ?? uid), 0, 'group not root');
  const ctx = serverContainer(deploymentOf(loadManifest('components.yaml'))).securityContext;
  t.equal(ctx?.runAsUser, Number(uid), 'the Deployment runs as the image user');
  const chartValues = parseYaml(readFileSync(join(repoRoot, 'deploy', 'helm', 'metrics-server-ts', 'values.yaml'), 'utf8')) as {
    securityContext: { runAsUser?: number; runAsGroup?: number };
  };
  t.equal(chartValues.securityContext.runAsUser, Number(uid), 'so does the Helm chart by default');
  t.equal(chartValues.securityContext.runAsGroup, Number(gid ?? uid), 'in the image user\'s group');

  const env = of(runtime, 'ENV').map((e) => argsOf(e).join(' '));
  t.ok(env.some((e) => /NODE_ENV=production/.test(e)), 'NODE_ENV=production');
  t.same(of(runtime, 'VOLUME'), [], 'declares no VOLUME (the Deployment mounts the emptyDir for --cert-dir)');
});

t.test('the entrypoint runs the built metrics-server command', async (t) => {
  const entrypoints = of(runtime, 'ENTRYPOINT');
  t.equal(entrypoints.length, 1, 'one ENTRYPOINT');
  const ep = entrypoints[0] as Instruction & { getJSONStrings(): { getJSONValue(): string }[] };
  const argv = ep.getJSONStrings().map((s) => s.getJSONValue());
  t.ok(argv.length >= 2, 'exec form (JSON array), so signals reach node');
  t.match(argv[0], /(^|\/)node(js)?$|\/nodejs\/bin\/node$/, 'runs node');
  t.same(of(runtime, 'CMD'), [], 'no CMD: the Deployment args are the server flags');

  // Follow the script back to the build stage and then to the repository layout.
  const script = argv.at(-1)!;
  const copy = copies(runtime).find((c) => c.from === 'build' && script.startsWith(`${c.dest}/`));
  t.ok(copy, `${script} is copied from the build stage`);
  const inBuild = posix.join(posix.resolve(workdir(byName('build')!), copy!.sources[0]!), script.slice(copy!.dest.length + 1));
  const inRepo = posix.relative(workdir(byName('build')!), inBuild);
  t.equal(inRepo, posix.normalize(pkg.bin['metrics-server']!), 'the script is package.json\'s metrics-server bin');
  t.ok(existsSync(join(repoRoot, inRepo)), `${inRepo} exists in the compiled output`);
  t.ok(serverContainer(deploymentOf(loadManifest('components.yaml'))).command === undefined, 'the Deployment keeps the entrypoint');
});

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile())
    .map((e) => relative(repoRoot, join(e.parentPath, e.name)).split(sep).join('/'));
}

t.test('.dockerignore keeps the build context to what the build reads', async (t) => {
  const ig = dockerignore().add(readFileSync(join(repoRoot, '.dockerignore'), 'utf8').split('\n'));
  const contextFiles = copies(byName('build')!).concat(copies(byName('deps')!)).filter((c) => c.from === null).flatMap((c) => c.sources);
  for (const src of [...new Set(contextFiles)]) {
    t.ok(existsSync(join(repoRoot, src)), `${src} exists`);
    const files = statSync(join(repoRoot, src)).isDirectory() ? walk(join(repoRoot, src)) : [src];
    t.same(files.filter((f) => ig.ignores(f)), [], `${src}: nothing the build copies is excluded`);
  }
  for (const p of ['node_modules/yaml/package.json', 'dist/src/main.js', '.git/HEAD', 'test/options.test.ts', 'bench/run.ts', '.tap/x', 'README.md', 'deploy/helm/metrics-server-ts/values.yaml']) {
    t.ok(ig.ignores(p), `${p} stays out of the context`);
  }
  t.notOk(dockerignore().add(['node_modules']).ignores('src/main.ts'), 'the matcher does include files (control)');
});

t.test('the compiled server imports only production dependencies', async (t) => {
  t.same(walk(join(repoRoot, 'src')).filter((f) => !f.endsWith('.ts')), [], 'src/ holds only TypeScript (no assets the image would miss)');
  // Everything the entrypoint can load, following relative imports (static and dynamic)
  // from the compiled main.js; the simulator and other dev-only modules it never loads may
  // use dev dependencies.
  const entry = posix.normalize(pkg.bin['metrics-server']!);
  t.ok(existsSync(join(repoRoot, entry)), 'the build output is present');
  const builtins = new Set(builtinModules);
  const bare = new Map<string, string>();
  const reached = new Set<string>();
  const queue = [entry];
  while (queue.length > 0) {
    const file = queue.pop()!;
    if (reached.has(file)) continue;
    reached.add(file);
    const info = ts.preProcessFile(readFileSync(join(repoRoot, file), 'utf8'), true, true);
    for (const { fileName: spec } of info.importedFiles) {
      if (spec.startsWith('.')) {
        const target = posix.join(posix.dirname(file), spec);
        t.ok(existsSync(join(repoRoot, target)), `${file} imports ${spec}, which is built`);
        if (existsSync(join(repoRoot, target))) queue.push(target);
        continue;
      }
      if (spec.startsWith('node:') || builtins.has(spec)) continue;
      const name = spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]!;
      if (!bare.has(name)) bare.set(name, file);
    }
  }
  t.ok(reached.size > 1, `follows imports (${reached.size} modules reachable from ${entry})`);
  t.ok(bare.size > 0, 'finds package imports');
  for (const [name, file] of bare) {
    t.ok(name in pkg.dependencies, `${name} (imported by ${file}) is a production dependency`);
  }
  const control = ts.preProcessFile("import t from 'tap';\nconst m = await import('kubernetes-models');", true, true);
  t.same(control.importedFiles.map((i) => i.fileName), ['tap', 'kubernetes-models'], 'the scanner sees static and dynamic imports (control)');
});
