/**
 * Bundles source entries for the browser with esbuild and reports what would tie them to Node: imports of
 * Node built-ins (`node:fs`, `crypto`, …) and references to Node-only globals (`process`, `Buffer`, …).
 * Used by the portability tests and the size report.
 */
import { builtinModules } from 'node:module';
import { relative, resolve, sep } from 'node:path';
import { build, type Metafile, type Plugin } from 'esbuild';

/** Globals that exist in Node but not in browsers or edge workers. */
export const NODE_ONLY_GLOBALS = ['process', 'Buffer', 'global', '__dirname', '__filename', 'require', 'setImmediate', 'clearImmediate'] as const;

const MARK = '__NODE_ONLY_GLOBAL_';
const builtins = new Set(builtinModules.filter((m) => !m.startsWith('_')));

export interface NodeImport {
  readonly specifier: string;
  /** File that imports it, relative to the repository root. */
  readonly importer: string;
}

export interface NodeGlobalUse {
  readonly name: (typeof NODE_ONLY_GLOBALS)[number];
  /** File that references it, relative to the repository root. */
  readonly file: string;
  /** Every reference in that file sits behind a `typeof name` test (a feature check, safe in browsers). */
  readonly guarded: boolean;
}

export interface BrowserBundle {
  readonly code: string;
  readonly nodeImports: readonly NodeImport[];
  readonly nodeGlobals: readonly NodeGlobalUse[];
  readonly metafile: Metafile;
}

export function isNodeBuiltin(specifier: string): boolean {
  if (specifier.startsWith('node:')) return true;
  return builtins.has(specifier.split('/')[0]!) || builtins.has(specifier);
}

function rel(root: string, file: string): string {
  return relative(root, resolve(root, file)).split(sep).join('/');
}

/** Records Node built-in imports instead of failing on the first one, so a report lists them all. */
function nodeBuiltinRecorder(root: string, found: NodeImport[]): Plugin {
  return {
    name: 'node-builtin-recorder',
    setup(b) {
      b.onResolve({ filter: /.*/ }, (args) => {
        if (args.kind === 'entry-point' || !isNodeBuiltin(args.path)) return undefined;
        found.push({ specifier: args.path, importer: rel(root, args.importer) });
        return { path: args.path, external: true };
      });
    },
  };
}

/**
 * Bundles `entry` (a source file) with every dependency for `platform: 'browser'`, unminified so that the
 * per-file comments esbuild writes let each Node-only global be traced to the file using it.
 */
export async function bundleForBrowser(entry: string, options: { root?: string; external?: readonly string[] } = {}): Promise<BrowserBundle> {
  const root = options.root ?? process.cwd();
  const nodeImports: NodeImport[] = [];
  const define: Record<string, string> = {};
  for (const name of NODE_ONLY_GLOBALS) define[name] = `${MARK}${name}`;
  const result = await build({
    entryPoints: [resolve(root, entry)],
    absWorkingDir: root,
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    metafile: true,
    logLevel: 'silent',
    external: [...(options.external ?? [])],
    define,
    plugins: [nodeBuiltinRecorder(root, nodeImports)],
  });
  const code = result.outputFiles[0]!.text;
  return { code, nodeImports, nodeGlobals: findNodeGlobals(code), metafile: result.metafile };
}

/** Splits an unminified esbuild bundle into its `// path` sections and finds the marked globals in each. */
function findNodeGlobals(code: string): NodeGlobalUse[] {
  const sections = new Map<string, string[]>();
  let file = '(bundle)';
  for (const line of code.split('\n')) {
    // `../../x/node_modules/…` when node_modules is a link out of the project (a git worktree sharing one).
    const header = /^\/\/ ((?:\.\.\/(?:[^\s/]+\/)*?)?(?:src|node_modules|test|examples)\/\S+)$/.exec(line);
    if (header) {
      file = header[1]!;
      continue;
    }
    if (!line.includes(MARK)) continue;
    const lines = sections.get(file) ?? [];
    lines.push(line);
    sections.set(file, lines);
  }
  const uses: NodeGlobalUse[] = [];
  for (const [path, lines] of sections) {
    const text = lines.join('\n');
    for (const name of NODE_ONLY_GLOBALS) {
      const ref = new RegExp(`${MARK}${name}\\b`, 'g');
      const all = text.match(ref)?.length ?? 0;
      if (all === 0) continue;
      const typeofChecks = text.match(new RegExp(`typeof ${MARK}${name}\\b`, 'g'))?.length ?? 0;
      uses.push({ name, file: path, guarded: typeofChecks > 0 });
    }
  }
  return uses;
}

/** Problems that stop an entry from running outside Node: any built-in import, any unguarded Node global,
 * and any Node global at all in our own sources (feature checks belong in dependencies, not here). */
export function portabilityProblems(bundle: BrowserBundle): string[] {
  const problems = bundle.nodeImports.map((i) => `imports Node built-in '${i.specifier}' (from ${i.importer})`);
  for (const g of bundle.nodeGlobals) {
    if (g.file.startsWith('src/') || !g.guarded) problems.push(`uses Node-only global '${g.name}' (in ${g.file})`);
  }
  return problems;
}
