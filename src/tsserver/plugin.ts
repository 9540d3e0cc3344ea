import * as path from 'node:path';
import type * as ts from 'typescript/lib/tsserverlibrary';

/**
 * A TypeScript server plugin that gives experiment files IntelliSense in any folder. The runner provides
 * `learning-mechanics`, `learning-mechanics/theory`, `learning-mechanics/observables` and `@tensorflow/tfjs`
 * to experiments, so the user installs nothing; without this plugin the editor's TypeScript would report those
 * imports as unresolved (ts(2307)) and type nothing. The plugin keeps TypeScript's own resolution and steps in
 * only for those names when it finds nothing: the SDK resolves to the declarations shipped in the extension
 * (dist/types, emitted by `npm run package`), tfjs to the copy in the extension's node_modules. A project that
 * installs its own tfjs keeps it.
 *
 * VS Code loads the plugin through `contributes.typescriptServerPlugins`, from
 * node_modules/learning-mechanics-tsserver in the VSIX (a shim that requires this bundle).
 */

/** Where the provided modules' declarations live, for an extension installed at `extensionRoot`. */
export interface ProvidedTypes {
  /** Module name (`learning-mechanics`, ...) to its declaration file. */
  sdk: Record<string, string>;
  /** A file inside the extension, from which `@tensorflow/*` are resolved as the runner resolves them. */
  tfjsFrom: string;
}

export function providedTypes(extensionRoot: string): ProvidedTypes {
  const sdk = path.join(extensionRoot, 'dist', 'types', 'sdk');
  return {
    sdk: {
      'learning-mechanics': path.join(sdk, 'index.d.ts'),
      'learning-mechanics/theory': path.join(sdk, 'theory.d.ts'),
      'learning-mechanics/observables': path.join(sdk, 'observables.d.ts'),
    },
    tfjsFrom: path.join(extensionRoot, 'package.json'),
  };
}

/** The resolution of a provided module that TypeScript could not resolve itself, else undefined. */
export function resolveProvided(
  typescript: typeof ts,
  name: string,
  options: ts.CompilerOptions,
  types: ProvidedTypes,
): ts.ResolvedModuleWithFailedLookupLocations | undefined {
  const declaration = types.sdk[name];
  if (declaration !== undefined) {
    if (!typescript.sys.fileExists(declaration)) return undefined;
    return {
      resolvedModule: {
        resolvedFileName: declaration,
        extension: typescript.Extension.Dts,
        isExternalLibraryImport: true,
      },
    };
  }
  if (name === '@tensorflow/tfjs' || name.startsWith('@tensorflow/tfjs/')) {
    // Node-style lookup from the extension, whatever the user's project uses (an inferred project may use
    // classic resolution, which never looks into node_modules for a package).
    const nodeOptions = { ...options, moduleResolution: typescript.ModuleResolutionKind.Node10 };
    const resolved = typescript.resolveModuleName(name, types.tfjsFrom, nodeOptions, typescript.sys);
    return resolved.resolvedModule ? resolved : undefined;
  }
  return undefined;
}

/** Wraps a language service host so that unresolved provided modules resolve to the extension's copies. */
export function withProvidedModules(
  typescript: typeof ts,
  host: ts.LanguageServiceHost,
  types: ProvidedTypes,
): void {
  const original = host.resolveModuleNameLiterals?.bind(host);
  host.resolveModuleNameLiterals = (literals, containingFile, redirected, options, sourceFile, reused) => {
    const resolved = original
      ? original(literals, containingFile, redirected, options, sourceFile, reused)
      : literals.map((literal) =>
          typescript.resolveModuleName(literal.text, containingFile, options, typescript.sys),
        );
    return resolved.map(
      (r, i) => (r.resolvedModule ? r : resolveProvided(typescript, literals[i].text, options, types)) ?? r,
    );
  };
}

/** The plugin factory tsserver calls (see the esbuild footer that makes it the module's export). */
export default function init({ typescript }: { typescript: typeof ts }): ts.server.PluginModule {
  const types = providedTypes(path.resolve(__dirname, '..'));
  return {
    create(info) {
      withProvidedModules(typescript, info.languageServiceHost, types);
      info.project.projectService.logger.info(`learning-mechanics: provided modules from ${types.tfjsFrom}`);
      return info.languageService;
    },
  };
}
