import ts from 'typescript';
import type { Position, Range } from './types';

/** The range from offset `start` to offset `end` of `sourceFile`. */
export function rangeOfSpan(sourceFile: ts.SourceFile, start: number, end: number): Range {
  return {
    start: sourceFile.getLineAndCharacterOfPosition(start),
    end: sourceFile.getLineAndCharacterOfPosition(end),
  };
}

/** The range of `node`'s text, leading comments and whitespace excluded, decorators included. */
export function rangeOfNode(node: ts.Node, sourceFile: ts.SourceFile): Range {
  return rangeOfSpan(sourceFile, node.getStart(sourceFile), node.getEnd());
}

/** Negative when `a` comes before `b`, zero when they are equal. */
export function comparePositions(a: Position, b: Position): number {
  return a.line - b.line || a.character - b.character;
}

/** Whether `position` lies in `range`, both ends included (a cursor just after a word is still on it). */
export function rangeContains(range: Range, position: Position): boolean {
  return comparePositions(range.start, position) <= 0 && comparePositions(position, range.end) <= 0;
}
