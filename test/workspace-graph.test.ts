/**
 * The workspace's shape, checked from the sources: every package declares what its code imports, no
 * part reaches into another part's folder, and the packages depend on each other without a cycle.
 * Static checks over the import statements of every TypeScript file (type-only imports included: a
 * type import still needs its package to compile).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

interface Part {
  /** Folder relative to the repo root, e.g. `apps/cloud`. */
  readonly dir: string;
  readonly name: string;
  readonly dependencies: ReadonlySet<string>;
  readonly devDependencies: ReadonlySet<string>;
  /** Every .ts file of the part (without node_modules and build output). */
  readonly files: readonly string[];
}

function tsFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir)) {
    if (entry === 'node_modules' || entry === 'dist' || entry === 'artifacts' || entry.startsWith('.'))
      continue;
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) out.push(...tsFiles(path));
    else if (/\.(?:ts|mts|tsx)$/.test(entry) && !entry.endsWith('.d.ts')) out.push(path);
  }
  return out;
}

function parts(): Part[] {
  const dirs = ['apps', 'packages'].flatMap((group) =>
    readdirSync(join(root, group)).map((name) => `${group}/${name}`),
  );
  dirs.push('test', 'bench');
  return dirs
    .filter((dir) => statSync(join(root, dir, 'package.json'), { throwIfNoEntry: false }))
    .map((dir) => {
      const pkg = JSON.parse(readFileSync(join(root, dir, 'package.json'), 'utf8'));
      return {
        dir,
        name: pkg.name as string,
        dependencies: new Set(Object.keys({ ...pkg.dependencies, ...pkg.peerDependencies })),
        devDependencies: new Set(Object.keys(pkg.devDependencies ?? {})),
        files: tsFiles(join(root, dir)),
      };
    });
}

/** Module specifiers of a file's static imports, re-exports and dynamic imports with a literal. */
function specifiers(source: string): { specifier: string; typeOnly: boolean }[] {
  const found: { specifier: string; typeOnly: boolean }[] = [];
  for (const m of source.matchAll(/^\s*(import|export)(\s+type)?\s[^'"`;]*?from\s*['"]([^'"]+)['"]/gm)) {
    found.push({ specifier: m[3]!, typeOnly: m[2] !== undefined });
  }
  for (const m of source.matchAll(/^\s*import\s*['"]([^'"]+)['"]/gm))
    found.push({ specifier: m[1]!, typeOnly: false });
  for (const m of source.matchAll(/\bimport\(\s*['"]([^'"]+)['"]\s*\)/g)) {
    found.push({ specifier: m[1]!, typeOnly: false });
  }
  return found;
}

/** `@scope/name/sub` → `@scope/name`; `name/sub` → `name`. */
function packageOf(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!;
}

const builtins = new Set(builtinModules);
/** Test code: test files, the e2e folder, test-support code and development scripts. */
const isTestFile = (file: string) =>
  /\.test\.ts$|[/\\]test-support[/\\]|[/\\]scripts[/\\]/.test(file) ||
  relative(root, file).startsWith(`test${sep}`);
/** Browser code the build bundles into static files (its packages are build-time dependencies). */
const isBundledAtBuild = (file: string) => /^apps[/\\][^/\\]+[/\\]web[/\\]/.test(relative(root, file));

const workspace = parts();
const rootDevDependencies = new Set(
  Object.keys(JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).devDependencies ?? {}),
);

describe('workspace graph', () => {
  it('finds the parts and their sources', () => {
    expect(workspace.map((p) => p.dir)).toEqual(
      expect.arrayContaining(['apps/cloud', 'apps/device', 'packages/model']),
    );
    for (const part of workspace) expect(part.files.length, part.dir).toBeGreaterThan(0);
  });

  it('every package declares what its code imports (tests and scripts may use devDependencies)', () => {
    const missing: string[] = [];
    for (const part of workspace) {
      for (const file of part.files) {
        for (const { specifier, typeOnly } of specifiers(readFileSync(file, 'utf8'))) {
          if (specifier.startsWith('.') || specifier.startsWith('node:') || specifier.startsWith('/'))
            continue;
          const name = packageOf(specifier);
          if (builtins.has(name) || name === part.name) continue;
          const dev = part.devDependencies.has(name) || part.devDependencies.has(`@types/${name}`);
          // Tests may use devDependencies and the root's tools (vitest, fast-check); a type-only import
          // and the browser code bundled at build time (web/) need their package only to build.
          const declared =
            part.dependencies.has(name) ||
            ((isTestFile(file) || typeOnly || isBundledAtBuild(file)) && dev) ||
            (isTestFile(file) && rootDevDependencies.has(name));
          if (!declared)
            missing.push(
              `${relative(root, file)} imports ${name}, which ${part.dir}/package.json does not declare`,
            );
        }
      }
    }
    expect(missing).toEqual([]);
  });

  it('no part imports another part by path (only through its package name)', () => {
    const crossings: string[] = [];
    for (const part of workspace) {
      const home = join(root, part.dir) + sep;
      for (const file of part.files) {
        for (const { specifier } of specifiers(readFileSync(file, 'utf8'))) {
          if (!specifier.startsWith('.')) continue;
          const target = resolve(dirname(file), specifier);
          if (!target.startsWith(home)) crossings.push(`${relative(root, file)} → ${relative(root, target)}`);
        }
      }
    }
    expect(crossings).toEqual([]);
  });

  it("no file of one app names another app's folder (the cloud serves the device page from its own build)", () => {
    const readers: string[] = [];
    for (const part of workspace.filter((p) => p.dir.startsWith('apps/'))) {
      for (const file of part.files.filter((f) => !isTestFile(f))) {
        const source = readFileSync(file, 'utf8');
        for (const other of workspace.filter((p) => p.dir.startsWith('apps/') && p !== part)) {
          const folder = other.dir.split('/')[1]!;
          if (new RegExp(`['"\`/]apps/${folder}\\b|\\.\\./${folder}/(?:src|web)\\b`).test(source)) {
            readers.push(`${relative(root, file)} names ${other.dir}`);
          }
        }
      }
    }
    expect(readers).toEqual([]);
  });

  it('the packages depend on each other without a cycle', () => {
    const names = new Map(workspace.map((p) => [p.name, p]));
    const edges = new Map(
      workspace.map((p) => [p.name, [...p.dependencies, ...p.devDependencies].filter((d) => names.has(d))]),
    );
    const state = new Map<string, 'visiting' | 'done'>();
    const cycles: string[] = [];
    const visit = (name: string, path: string[]) => {
      if (state.get(name) === 'done') return;
      if (state.get(name) === 'visiting') {
        cycles.push([...path.slice(path.indexOf(name)), name].join(' → '));
        return;
      }
      state.set(name, 'visiting');
      for (const next of edges.get(name) ?? []) visit(next, [...path, name]);
      state.set(name, 'done');
    };
    for (const name of edges.keys()) visit(name, []);
    expect(cycles).toEqual([]);
  });
});
