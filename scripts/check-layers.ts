import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { LAYERS, type LayerRule } from './layer-table';

/**
 * `npm run check:layers`: every import between src-main files obeys the layer
 * table (scripts/layer-table.ts), and no import cycle exists among them.
 * Imports are read with the TypeScript parser, not regexes, so comments and
 * strings never count and `import type` is told apart.
 */

/** One import of one file, as written and as resolved. */
export interface ImportEdge {
  /** Importer and target, relative to src-main with '/' separators. */
  readonly from: string;
  readonly to: string;
  /**
   * Erased by the compiler (`import type`, `export type`, `import('x').T`).
   * Counted by both rules all the same: a type-only cycle still means two
   * files that cannot be read, moved or tested one without the other.
   */
  readonly typeOnly: boolean;
  /**
   * A thread or process entry named by `new URL('./x.entry.ts', import.meta.url)`
   * or electron-vite's `import path from './x.entry?modulePath'`: it runs in a
   * fresh module graph, so it is a layer edge, not a cycle edge.
   */
  readonly startsEntry: boolean;
}

export interface ImportGraph {
  readonly files: readonly string[];
  readonly edges: readonly ImportEdge[];
  /** Bare specifiers (packages, node built-ins) each file imports at run time or as types. */
  readonly packages: ReadonlyMap<string, readonly string[]>;
}

const toPosix = (path: string): string => path.split(sep).join('/');

function listTs(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return listTs(path);
    return name.endsWith('.ts') && !name.endsWith('.d.ts') ? [path] : [];
  });
}

/** The .ts file a relative specifier names, or null when none does. */
function resolveRelative(importer: string, specifier: string): string | null {
  const base = resolve(dirname(importer), specifier);
  const candidates = [base, `${base}.ts`, join(base, 'index.ts'), base.replace(/\.js$/, '.ts')];
  return candidates.find((path) => path.endsWith('.ts') && existsSync(path) && statSync(path).isFile()) ?? null;
}

/** electron-vite's suffix: the import is the bundled file's path, not its module. */
const MODULE_PATH = '?modulePath';

interface RawImport {
  readonly specifier: string;
  readonly typeOnly: boolean;
  readonly startsEntry: boolean;
}

function importsOf(file: string): RawImport[] {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
  const found: RawImport[] = [];
  const add = (node: ts.Expression | undefined, typeOnly: boolean, startsEntry = false) => {
    if (node !== undefined && ts.isStringLiteralLike(node)) found.push({ specifier: node.text, typeOnly, startsEntry });
  };
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteralLike(node.moduleSpecifier) && node.moduleSpecifier.text.endsWith(MODULE_PATH)) {
      found.push({ specifier: node.moduleSpecifier.text.slice(0, -MODULE_PATH.length), typeOnly: false, startsEntry: true });
    } else if (ts.isImportDeclaration(node)) {
      const clause = node.importClause;
      const named = clause?.namedBindings;
      const allNamedTypeOnly =
        clause !== undefined &&
        clause.name === undefined &&
        named !== undefined &&
        ts.isNamedImports(named) &&
        named.elements.length > 0 &&
        named.elements.every((element) => element.isTypeOnly);
      add(node.moduleSpecifier, clause?.isTypeOnly === true || allNamedTypeOnly);
    } else if (ts.isExportDeclaration(node)) {
      const named = node.exportClause;
      const allNamedTypeOnly = named !== undefined && ts.isNamedExports(named) && named.elements.length > 0 && named.elements.every((e) => e.isTypeOnly);
      add(node.moduleSpecifier, node.isTypeOnly || allNamedTypeOnly);
    } else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference)) {
      add(node.moduleReference.expression, node.isTypeOnly);
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      add(node.arguments[0], false);
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) {
      add(node.argument.literal as ts.Expression, true);
    } else if (
      ts.isNewExpression(node) &&
      ts.isIdentifier(node.expression) &&
      node.expression.text === 'URL' &&
      node.arguments?.length === 2 &&
      node.arguments[1].getText(source) === 'import.meta.url'
    ) {
      const first = node.arguments[0];
      if (ts.isStringLiteralLike(first) && first.text.startsWith('.') && first.text.endsWith('.ts')) add(first, false, true);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

/** Every src-main file's imports, resolved. */
export function importGraph(srcMain: string): ImportGraph {
  const files = listTs(srcMain).sort();
  const edges: ImportEdge[] = [];
  const packages = new Map<string, string[]>();
  for (const file of files) {
    const from = toPosix(relative(srcMain, file));
    for (const raw of importsOf(file)) {
      if (!raw.specifier.startsWith('.')) {
        packages.set(from, [...(packages.get(from) ?? []), raw.specifier]);
        continue;
      }
      const target = resolveRelative(file, raw.specifier);
      if (target === null) continue; // a non-TypeScript asset (json, wasm); tsc reports a missing module
      const to = toPosix(relative(srcMain, target));
      if (to.startsWith('..')) throw new Error(`${from} imports ${raw.specifier}, outside src-main: the layer check covers src-main only`);
      edges.push({ from, to, typeOnly: raw.typeOnly, startsEntry: raw.startsEntry });
    }
  }
  return { files: files.map((file) => toPosix(relative(srcMain, file))), edges, packages };
}

/** The row of the layer table a file falls under: the longest folder key holding it. */
export function layerOf(path: string, table: Readonly<Record<string, LayerRule>> = LAYERS): string | null {
  let best: string | null = null;
  for (const key of Object.keys(table)) {
    if ((path === key || path.startsWith(`${key}/`)) && (best === null || key.length > best.length)) best = key;
  }
  return best;
}

/** How every thread or child-process entry is named, so an entry is known by its name. */
export const ENTRY_SUFFIX = '.entry.ts';
const isEntry = (path: string): boolean => path.endsWith(ENTRY_SUFFIX);

const within = (path: string, folder: string): boolean => path === folder || path.startsWith(`${folder}/`);

/** Every import that crosses a line the table draws, in words. */
export function layerViolations(graph: ImportGraph, table: Readonly<Record<string, LayerRule>> = LAYERS): string[] {
  const problems: string[] = [];
  for (const file of graph.files) {
    if (layerOf(file, table) === null) {
      problems.push(`src-main/${file} lies in no layer: add its folder to scripts/layer-table.ts`);
    }
  }
  for (const edge of graph.edges) {
    const layer = layerOf(edge.from, table);
    if (layer === null) continue;
    const rule = table[layer];
    const reach = edge.startsEntry ? [...rule.mayImport, ...(rule.mayStart ?? [])] : rule.mayImport;
    const allowed = within(edge.to, layer) || reach.some((folder) => within(edge.to, folder));
    if (!allowed) {
      const how = edge.startsEntry ? 'starts' : edge.typeOnly ? 'imports types from' : 'imports';
      problems.push(
        `src-main/${edge.from} ${how} src-main/${edge.to}: ${layer}/ may ${edge.startsEntry ? 'start' : 'import'} only ${reach.join(', ') || 'nothing outside itself'} (${rule.why}).`,
      );
    }
    // An entry runs its side effects (it listens on a port) when loaded: it is started, never imported.
    if (!edge.startsEntry && !edge.typeOnly && isEntry(edge.to)) {
      problems.push(`src-main/${edge.from} imports the entry src-main/${edge.to}: an entry is started as a thread or process, never imported; move what both need into a module of its own.`);
    }
    if (edge.startsEntry && !isEntry(edge.to)) {
      problems.push(`src-main/${edge.from} starts src-main/${edge.to}: name every thread or process entry *${ENTRY_SUFFIX}.`);
    }
  }
  for (const [file, specifiers] of graph.packages) {
    // A package refused to a folder is refused to every folder inside it (core's to core/data).
    const rows = Object.keys(table).filter((key) => within(file, key));
    for (const specifier of specifiers) {
      for (const row of rows) {
        const hit = table[row].mayNotImportPackages?.find((name) =>
          name.endsWith(':') ? specifier.startsWith(name) : specifier === name || specifier.startsWith(`${name}/`),
        );
        if (hit !== undefined) problems.push(`src-main/${file} imports '${specifier}': ${row}/ may not import ${hit} (${table[row].why}).`);
      }
    }
  }
  return problems;
}

/** Every cycle among run-time imports (Tarjan's strongly connected components), each as one path that closes. */
export function importCycles(graph: ImportGraph): string[][] {
  const next = new Map<string, string[]>();
  for (const edge of graph.edges) {
    if (edge.startsEntry) continue;
    next.set(edge.from, [...(next.get(edge.from) ?? []), edge.to]);
  }
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const components: string[][] = [];
  const connect = (node: string): void => {
    index.set(node, counter);
    low.set(node, counter);
    counter += 1;
    stack.push(node);
    onStack.add(node);
    for (const to of next.get(node) ?? []) {
      if (!index.has(to)) {
        connect(to);
        low.set(node, Math.min(low.get(node)!, low.get(to)!));
      } else if (onStack.has(to)) {
        low.set(node, Math.min(low.get(node)!, index.get(to)!));
      }
    }
    if (low.get(node) === index.get(node)) {
      const component: string[] = [];
      let member: string;
      do {
        member = stack.pop()!;
        onStack.delete(member);
        component.push(member);
      } while (member !== node);
      const selfLoop = (next.get(node) ?? []).includes(node);
      if (component.length > 1 || selfLoop) components.push(component);
    }
  };
  for (const file of graph.files) if (!index.has(file)) connect(file);
  // One readable cycle per component: a shortest walk back to its first file.
  return components.map((component) => {
    const members = new Set(component);
    const start = [...component].sort()[0];
    const previous = new Map<string, string>();
    const queue = [start];
    const seen = new Set([start]);
    while (queue.length > 0) {
      const node = queue.shift()!;
      for (const to of next.get(node) ?? []) {
        if (!members.has(to)) continue;
        if (to === start) {
          const path = [node];
          while (path[0] !== start) path.unshift(previous.get(path[0])!);
          return [...path, start];
        }
        if (!seen.has(to)) {
          seen.add(to);
          previous.set(to, node);
          queue.push(to);
        }
      }
    }
    return [...component, component[0]];
  });
}

/** Every problem with src-main under `root`, in words; empty when the layers hold. */
export function checkLayers(root: string, table: Readonly<Record<string, LayerRule>> = LAYERS): string[] {
  const graph = importGraph(join(root, 'src-main'));
  const cycles = importCycles(graph).map((cycle) => `import cycle: ${cycle.map((file) => `src-main/${file}`).join(' → ')}`);
  return [...layerViolations(graph, table), ...cycles];
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const root = resolve(process.argv[2] ?? fileURLToPath(new URL('..', import.meta.url)));
  const problems = checkLayers(root);
  for (const problem of problems) console.error(problem);
  if (problems.length > 0) {
    console.error(`check:layers: ${problems.length} problem(s); the table is scripts/layer-table.ts`);
    process.exit(1);
  }
  console.log('check:layers: every src-main import follows scripts/layer-table.ts, and there is no import cycle');
}
