// Everything the code imports is declared in package.json: a package that works only because npm hoisted it from
// another one's dependencies breaks the day that one drops or moves it. Shipped code (src, adapters, simulators) may
// use at run time only `dependencies`; its type-only imports and the tests may also use `devDependencies`.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { files, type Import, importsOf, packageOf } from '../support/imports.js';

const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as {
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
};
const runtime = new Set(Object.keys(pkg.dependencies ?? {}));
const anyDeclared = new Set([...runtime, ...Object.keys(pkg.devDependencies ?? {})]);

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
