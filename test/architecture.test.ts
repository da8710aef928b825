/**
 * The house rules that keep the engine portable: imports point one way, hosts → src;
 * src imports no host code, no Node built-ins and no Office.js. tsconfig.src.json (no DOM, no Node
 * types) catches globals; this test catches imports, which type checking alone would allow.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

const root = path.resolve(__dirname, '..');

function files(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return files(p);
    return /\.tsx?$/.test(e.name) && !/\.test\.tsx?$/.test(e.name) ? [p] : [];
  });
}

function importsOf(file: string): string[] {
  const text = fs.readFileSync(file, 'utf8');
  const out: string[] = [];
  const re = /(?:^|\n)\s*(?:import|export)\s[^;]*?from\s+['"]([^'"]+)['"]|require\(\s*['"]([^'"]+)['"]\s*\)|import\(\s*['"]([^'"]+)['"]\s*\)/g;
  for (const m of text.matchAll(re)) out.push((m[1] ?? m[2] ?? m[3])!);
  return out;
}

const NODE_BUILTINS = new Set(require('node:module').builtinModules as string[]);
// Pure-JS libraries the engine may use: no I/O, no platform code.
const ENGINE_PACKAGES = new Set(['papaparse', 'zod']);

describe('architecture', () => {
  const engine = files(path.join(root, 'src'));

  it('has an engine to check', () => {
    expect(engine.length).toBeGreaterThan(5);
  });

  it('src imports only src and a few pure libraries', () => {
    const bad: string[] = [];
    for (const f of engine) {
      for (const spec of importsOf(f)) {
        if (spec.startsWith('.')) {
          const target = path.resolve(path.dirname(f), spec);
          if (!target.startsWith(path.join(root, 'src') + path.sep)) bad.push(`${path.relative(root, f)} → ${spec}`);
        } else {
          const pkg = spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]!;
          if (spec.startsWith('node:') || NODE_BUILTINS.has(pkg) || !ENGINE_PACKAGES.has(pkg)) bad.push(`${path.relative(root, f)} → ${spec}`);
        }
      }
    }
    expect(bad).toEqual([]);
  });

  it('hosts never import one another: the task pane, functions and ribbon commands reach the server only over HTTP', () => {
    const bad: string[] = [];
    for (const host of ['taskpane', 'functions', 'commands']) {
      for (const f of files(path.join(root, host))) {
        for (const spec of importsOf(f)) {
          if (!spec.startsWith('.')) continue;
          const target = path.resolve(path.dirname(f), spec);
          if (target.startsWith(path.join(root, 'server') + path.sep)) bad.push(`${path.relative(root, f)} → ${spec}`);
        }
      }
    }
    expect(bad).toEqual([]);
  });

  it('platform/ is shared by hosts and imports none of them', () => {
    const bad: string[] = [];
    for (const f of files(path.join(root, 'platform'))) {
      for (const spec of importsOf(f)) {
        if (!spec.startsWith('.')) continue;
        const target = path.resolve(path.dirname(f), spec);
        if (!target.startsWith(path.join(root, 'src') + path.sep) && !target.startsWith(path.join(root, 'platform') + path.sep)) {
          bad.push(`${path.relative(root, f)} → ${spec}`);
        }
      }
    }
    expect(bad).toEqual([]);
  });

  it('src never touches Office.js', () => {
    // Comments may name Office.js; code may not use it.
    const code = (f: string) => fs.readFileSync(f, 'utf8').replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/.*$/gm, '');
    const bad = engine.filter((f) => /\b(Excel\.run\s*\(|Office\.(context|onReady|actions|addin)\b)/.test(code(f)));
    expect(bad.map((f) => path.relative(root, f))).toEqual([]);
  });

  it('nothing outside the repository is named by non-test code: the team reference shelf beside a checkout is no part of the product', () => {
    // A user's clone has no ../shared; code (and its comments) that names it works only on the team's machines.
    const dirs = ['src', 'platform', 'server', 'taskpane', 'functions', 'commands', 'scripts', 'bin', 'build'];
    const rootFiles = fs.readdirSync(root).filter((n) => /\.(js|cjs|mjs|ts|json)$/.test(n) && n !== 'package-lock.json');
    const all = (dir: string): string[] =>
      fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
        const p = path.join(dir, e.name);
        if (e.isDirectory()) return e.name === 'node_modules' ? [] : all(p);
        return /\.(ts|tsx|js|cjs|mjs|json|md|html|css|sh|py|sql)$/.test(e.name) && !/\.test\.[jt]sx?$/.test(e.name) ? [p] : [];
      });
    const checked = [...dirs.flatMap((d) => all(path.join(root, d))), ...rootFiles.map((n) => path.join(root, n))];
    expect(checked.length).toBeGreaterThan(100);
    const outside = /\.\.[\\/]+shared\b|\bshared[\\/]+external\b|['"]shared['"]\s*,\s*['"]external['"]/;
    const bad = checked.filter((f) => outside.test(fs.readFileSync(f, 'utf8'))).map((f) => path.relative(root, f));
    expect(bad).toEqual([]);
  });
});
