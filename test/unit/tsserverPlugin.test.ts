import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import ts from 'typescript';
import { withProvidedModules, type ProvidedTypes } from '../../src/tsserver/plugin';

const ROOT = path.join(__dirname, '..', '..');

/** A language service over one folder, with the options VS Code gives a file outside any tsconfig. */
function languageService(folder: string, plugin?: ProvidedTypes): ts.LanguageService {
  const files = fs.readdirSync(folder).map((f) => path.join(folder, f));
  const host: ts.LanguageServiceHost = {
    getScriptFileNames: () => files,
    getScriptVersion: () => '1',
    getScriptSnapshot: (file) =>
      fs.existsSync(file) ? ts.ScriptSnapshot.fromString(fs.readFileSync(file, 'utf8')) : undefined,
    getCurrentDirectory: () => folder,
    getCompilationSettings: () => ({
      module: ts.ModuleKind.ESNext,
      target: ts.ScriptTarget.ES2020,
      moduleResolution: ts.ModuleResolutionKind.Node10,
      allowJs: true,
      strict: true,
    }),
    getDefaultLibFileName: (options) => ts.getDefaultLibFilePath(options),
    fileExists: ts.sys.fileExists,
    readFile: ts.sys.readFile,
    readDirectory: ts.sys.readDirectory,
    directoryExists: ts.sys.directoryExists,
    getDirectories: ts.sys.getDirectories,
  };
  if (plugin) withProvidedModules(ts, host, plugin);
  return ts.createLanguageService(host);
}

function errors(service: ts.LanguageService, file: string): string[] {
  return [...service.getSyntacticDiagnostics(file), ...service.getSemanticDiagnostics(file)].map(
    (d) => `TS${d.code}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`,
  );
}

describe('the TypeScript server plugin', function () {
  this.timeout(120_000);
  let dir: string;
  let folder: string;
  let types: ProvidedTypes;

  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lm-tsserver-'));
    // The declarations `npm run package` ships, emitted the same way.
    const outDir = path.join(dir, 'types');
    execFileSync(
      process.execPath,
      [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.types.json', '--outDir', outDir],
      {
        cwd: ROOT,
      },
    );
    const sdk = path.join(outDir, 'sdk');
    types = {
      sdk: {
        'learning-mechanics': path.join(sdk, 'index.d.ts'),
        'learning-mechanics/theory': path.join(sdk, 'theory.d.ts'),
        'learning-mechanics/observables': path.join(sdk, 'observables.d.ts'),
      },
      tfjsFrom: path.join(ROOT, 'package.json'),
    };
    // A user's folder: no node_modules, no tsconfig, not under this repository.
    folder = path.join(dir, 'workspace');
    fs.mkdirSync(folder);
    fs.copyFileSync(
      path.join(ROOT, 'templates', 'deepLinear.exp.ts'),
      path.join(folder, 'deepLinear.exp.ts'),
    );
  });

  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('without it, a template in a bare folder cannot resolve the provided modules', () => {
    const found = errors(languageService(folder), path.join(folder, 'deepLinear.exp.ts'));
    assert.ok(
      found.some((e) => e.startsWith('TS2307') && e.includes("'learning-mechanics'")),
      found.join('\n'),
    );
    assert.ok(
      found.some((e) => e.startsWith('TS2307') && e.includes("'@tensorflow/tfjs'")),
      found.join('\n'),
    );
  });

  it('with it, the template type-checks without an error and its imports carry their types', () => {
    const service = languageService(folder, types);
    const file = path.join(folder, 'deepLinear.exp.ts');
    assert.deepEqual(errors(service, file), []);
    const text = fs.readFileSync(file, 'utf8');
    const info = service.getQuickInfoAtPosition(file, text.indexOf('saxeMode(lr'));
    assert.match(ts.displayPartsToString(info?.displayParts), /saxeMode\(tau: number/);
    const tfInfo = service.getQuickInfoAtPosition(file, text.indexOf('randomNormal'));
    assert.match(ts.displayPartsToString(tfInfo?.displayParts), /randomNormal<tf\.Rank>\(shape: /);
  });

  it("keeps TypeScript's own resolution when the folder has its own copy", () => {
    const declared = path.join(folder, 'node_modules', 'learning-mechanics');
    fs.mkdirSync(declared, { recursive: true });
    fs.writeFileSync(path.join(declared, 'index.d.ts'), 'export declare const own: number;\n');
    try {
      const found = errors(languageService(folder, types), path.join(folder, 'deepLinear.exp.ts'));
      assert.ok(
        found.some((e) => e.includes("has no exported member 'experiment'")),
        found.join('\n'),
      );
    } finally {
      fs.rmSync(path.join(folder, 'node_modules'), { recursive: true, force: true });
    }
  });
});
