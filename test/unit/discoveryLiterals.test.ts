import { strict as assert } from 'node:assert';
import ts from 'typescript';
import { closestName, editDistance } from '../../src/discovery/closest';
import { evaluateConstant } from '../../src/discovery/literals';

/** The value discovery gives the initializer `source`. */
function evaluate(source: string): unknown {
  const file = ts.createSourceFile('x.ts', `const x = ${source};`, ts.ScriptTarget.Latest, true);
  const statement = file.statements[0];
  assert.ok(ts.isVariableStatement(statement));
  const initializer = statement.declarationList.declarations[0].initializer;
  assert.ok(initializer);
  return evaluateConstant(initializer);
}

describe('evaluateConstant', () => {
  it('evaluates literals of every constant kind', () => {
    assert.equal(evaluate('1e-4'), 1e-4);
    assert.equal(evaluate("'adam'"), 'adam');
    assert.equal(evaluate('`plain`'), 'plain');
    assert.equal(evaluate('true'), true);
    assert.equal(evaluate('false'), false);
  });

  it('follows the precedence and associativity of the parse tree', () => {
    assert.equal(evaluate('1 + 2 * 3'), 7);
    assert.equal(evaluate('2 ** 3 ** 2'), 512);
    assert.equal(evaluate('-(2 ** 2)'), -4);
    assert.equal(evaluate('7 % 4 - 10 / 4'), 0.5);
  });

  it('looks through parentheses and type assertions', () => {
    assert.equal(evaluate('((1 as number) + 2) satisfies number'), 3);
  });

  it('keeps IEEE results such as a division by zero', () => {
    assert.equal(evaluate('1 / 0'), Infinity);
  });

  it('gives undefined for anything whose value needs the program', () => {
    for (const source of [
      'width',
      'f()',
      'Math.PI',
      '`a${b}`',
      '!true',
      "-'a'",
      "'a' - 1",
      '1n',
      '{ a: 1 }',
    ]) {
      assert.equal(evaluate(source), undefined, source);
    }
  });

  it('gives undefined for arrays with holes, spreads or non-constant elements', () => {
    assert.equal(evaluate('[1, , 2]'), undefined);
    assert.equal(evaluate('[...xs]'), undefined);
    assert.equal(evaluate('[1, n]'), undefined);
  });

  it('evaluates nested arrays element by element', () => {
    assert.deepEqual(evaluate("[[1, 2 / 4], ['a']]"), [[1, 0.5], ['a']]);
  });
});

describe('closestName', () => {
  it('measures the classic kitten/sitting edit distance as 3', () => {
    assert.equal(editDistance('kitten', 'sitting'), 3);
    assert.equal(editDistance('', 'abc'), 3);
    assert.equal(editDistance('same', 'same'), 0);
  });

  it('counts a swap of two adjacent letters as one edit', () => {
    assert.equal(editDistance('mdoes', 'modes'), 1);
  });

  it('suggests the closest candidate, ignoring case', () => {
    assert.equal(closestName('Loss', ['modes', 'loss']), 'loss');
    assert.equal(closestName('evry', ['every', 'atEnd']), 'every');
  });

  it('suggests nothing when no candidate is a plausible typo', () => {
    assert.equal(closestName('lr', ['loss', 'modes']), undefined);
    assert.equal(closestName('anything', []), undefined);
  });
});
