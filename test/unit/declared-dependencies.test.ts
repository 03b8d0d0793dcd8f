// Everything the code imports is declared in package.json: a package that works only because npm hoisted it from
// another one's dependencies breaks the day that one drops or moves it. Shipped code (src, adapters, simulators) may
// use at run time only `dependencies`; its type-only imports and the tests may also use `devDependencies`.
import { readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as {
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
};
const runtime = new Set(Object.keys(pkg.dependencies ?? {}));
const anyDeclared = new Set([...runtime, ...Object.keys(pkg.devDependencies ?? {})]);
const builtins = new Set(builtinModules);

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts'))
    .map((e) => join(e.parentPath, e.name));
}

interface Import {
  file: string;
  specifier: string;
  typeOnly: boolean;
}

/** Static imports and re-exports, `import x = require()`, and dynamic `import('...')` with a literal. */
function importsOf(file: string, text: string): Import[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const found: Import[] = [];
  const visit = (node: ts.Node) => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
      const clause = node.importClause;
      const typeOnly =
        clause?.isTypeOnly === true ||
        (clause !== undefined &&
          clause.name === undefined &&
          clause.namedBindings !== undefined &&
          ts.isNamedImports(clause.namedBindings) &&
          clause.namedBindings.elements.length > 0 &&
          clause.namedBindings.elements.every((e) => e.isTypeOnly));
      found.push({ file, specifier: node.moduleSpecifier.text, typeOnly });
    } else if (ts.isExportDeclaration(node) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      found.push({ file, specifier: node.moduleSpecifier.text, typeOnly: node.isTypeOnly });
    } else if (
      ts.isCallExpression(node) &&
      node.expression.kind === ts.SyntaxKind.ImportKeyword &&
      node.arguments[0] &&
      ts.isStringLiteralLike(node.arguments[0])
    ) {
      found.push({ file, specifier: node.arguments[0].text, typeOnly: false });
    } else if (
      ts.isImportTypeNode(node) &&
      ts.isLiteralTypeNode(node.argument) &&
      ts.isStringLiteral(node.argument.literal)
    ) {
      found.push({ file, specifier: node.argument.literal.text, typeOnly: true });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

/** `@scope/name/sub` -> `@scope/name`; `name/sub` -> `name`; undefined for relative paths and Node's built-ins. */
function packageOf(specifier: string): string | undefined {
  if (specifier.startsWith('.') || specifier.startsWith('/') || specifier.startsWith('node:')) return undefined;
  const parts = specifier.split('/');
  const name = specifier.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] as string);
  return builtins.has(name) ? undefined : name;
}

function undeclared(dirs: string[], allowed: (i: Import) => Set<string>): string[] {
  const out: string[] = [];
  for (const dir of dirs) {
    for (const file of files(dir)) {
      for (const i of importsOf(file, readFileSync(file, 'utf8'))) {
        const name = packageOf(i.specifier);
        if (name && !allowed(i).has(name)) out.push(`${file}: ${i.specifier}${i.typeOnly ? ' (types)' : ''}`);
      }
    }
  }
  return out;
}

describe('declared dependencies', () => {
  it('shipped code imports at run time only what package.json lists under dependencies', () => {
    const shipped = ['src', 'adapters', 'simulators'];
    const problems = undeclared(shipped, (i) => (i.file.endsWith('.test.ts') || i.typeOnly ? anyDeclared : runtime));
    expect(problems).toEqual([]);
  });

  it('tests import only declared packages', () => {
    expect(undeclared(['test'], () => anyDeclared)).toEqual([]);
  });

  it('sees every kind of import, and tells packages from paths and built-ins', () => {
    const text = [
      "import a from 'pkg-a';",
      "import { type T } from 'pkg-types';",
      "import type { U } from '@scope/pkg-b/sub';",
      "export { c } from 'pkg-c';",
      "import './side-effect.js';",
      "const d = await import('pkg-d');",
      "import { readFileSync } from 'node:fs';",
      "import { join } from 'path';",
      "type E = import('pkg-e').E;",
    ].join('\n');
    const found = importsOf('x.ts', text).map((i) => `${packageOf(i.specifier) ?? '-'}${i.typeOnly ? ' (types)' : ''}`);
    expect(found).toEqual([
      'pkg-a',
      'pkg-types (types)',
      '@scope/pkg-b (types)',
      'pkg-c',
      '-',
      'pkg-d',
      '-',
      '-',
      'pkg-e (types)',
    ]);
  });
});
