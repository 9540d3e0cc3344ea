import * as esbuild from 'esbuild';
import * as path from 'node:path';
import type { SourceLocation } from '../store/manifest';

/** Modules the runner provides to the experiment instead of bundling them. */
export const PROVIDED_MODULES = [
  'learning-mechanics',
  'learning-mechanics/*',
  '@tensorflow/tfjs',
  '@tensorflow/tfjs-core',
  '@tensorflow/tfjs-node',
];

export interface CompiledExperiment {
  code: string;
  /** The path the code is loaded under; its inline source map points back at the user's files. */
  filename: string;
}

export class CompileError extends Error {
  override name = 'CompileError';
  constructor(
    message: string,
    readonly location?: SourceLocation,
  ) {
    super(message);
  }
}

/**
 * Bundles an experiment file (and whatever it imports relatively) into one CommonJS module with an inline
 * source map. Decorators are always TC39 standard decorators, whatever tsconfig sits next to the file.
 */
export async function compileExperiment(file: string): Promise<CompiledExperiment> {
  const absolute = path.resolve(file);
  const filename = path.join(path.dirname(absolute), `${path.basename(absolute)}.lm.cjs`);
  try {
    const result = await esbuild.build({
      entryPoints: [absolute],
      outfile: filename,
      bundle: true,
      write: false,
      platform: 'node',
      format: 'cjs',
      target: 'node20',
      sourcemap: 'inline',
      sourcesContent: false,
      external: PROVIDED_MODULES,
      logLevel: 'silent',
      tsconfigRaw: { compilerOptions: { experimentalDecorators: false, useDefineForClassFields: true } },
    });
    return { code: result.outputFiles[0].text, filename };
  } catch (error) {
    throw toCompileError(error, absolute);
  }
}

function toCompileError(error: unknown, file: string): Error {
  const failure = error as Partial<esbuild.BuildFailure>;
  const first = failure.errors?.[0];
  if (!first) return error instanceof Error ? error : new Error(String(error));
  const loc = first.location;
  const location = loc
    ? { file: path.resolve(loc.file), line: loc.line, column: loc.column + 1 }
    : { file, line: 1, column: 1 };
  const more = (failure.errors?.length ?? 1) > 1 ? ` (and ${failure.errors!.length - 1} more)` : '';
  return new CompileError(
    `${location.file}:${location.line}:${location.column}: ${first.text}${more}`,
    location,
  );
}
