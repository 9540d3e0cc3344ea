import type { RunError, SourceLocation } from '../store/manifest';

const FRAME = /\(?((?:\/|[A-Za-z]:\\)[^()]*?):(\d+):(\d+)\)?$/;

/** A stack frame in the user's code: not in the runner itself, not in node_modules, not in Node. */
function isUserFrame(file: string): boolean {
  return file !== __filename && !file.includes('/node_modules/') && !file.endsWith('.lm.cjs');
}

/** The first frame of `stack` in the user's code (source-mapped back to their TypeScript). */
export function userLocation(stack: string | undefined): SourceLocation | undefined {
  for (const line of (stack ?? '').split('\n').slice(1)) {
    const m = FRAME.exec(line.trim());
    if (m && isUserFrame(m[1])) return { file: m[1], line: Number(m[2]), column: Number(m[3]) };
  }
  return undefined;
}

/** The stack without the runner's own frames: the message, then the frames in the user's code. */
function userStack(stack: string | undefined): string | undefined {
  if (!stack) return undefined;
  const lines = stack.split('\n');
  const head = lines.filter((l) => !l.trimStart().startsWith('at '));
  const frames = lines.filter((l) => {
    const m = FRAME.exec(l.trim());
    return m !== null && l.trimStart().startsWith('at ') && isUserFrame(m[1]);
  });
  return [...head, ...frames].join('\n');
}

/** The record of an exception thrown by an experiment: message, stack, and where in the user's file. */
export function runErrorFrom(error: unknown): RunError {
  if (!(error instanceof Error)) return { message: `a non-Error value was thrown: ${String(error)}` };
  const location = userLocation(error.stack);
  const stack = userStack(error.stack);
  return {
    message: `${error.name === 'Error' ? '' : `${error.name}: `}${error.message}`,
    ...(stack && { stack }),
    ...(location && { location }),
  };
}
