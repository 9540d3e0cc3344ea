import ts from 'typescript';

/** A value known without running the file. */
export type Constant = number | string | boolean | readonly Constant[];

type NumberOperator = (a: number, b: number) => number;

const numberOperators: ReadonlyMap<ts.SyntaxKind, NumberOperator> = new Map([
  [ts.SyntaxKind.PlusToken, (a, b) => a + b],
  [ts.SyntaxKind.MinusToken, (a, b) => a - b],
  [ts.SyntaxKind.AsteriskToken, (a, b) => a * b],
  [ts.SyntaxKind.SlashToken, (a, b) => a / b],
  [ts.SyntaxKind.PercentToken, (a, b) => a % b],
  [ts.SyntaxKind.AsteriskAsteriskToken, (a, b) => a ** b],
]);

/**
 * The value of `expression` when it is a constant: a number, string or boolean literal, a signed number,
 * arithmetic on constant numbers (`1 / 500`, `2 ** -10`, `1e-4 * 3`), string concatenation, or an array of
 * constants; parentheses and `as` / `satisfies` are looked through. Anything else (an identifier, a call, a
 * template with substitutions) is undefined: its value is only known when the file runs.
 *
 * Example: the initializer of `lr = 1 / 500` evaluates to 0.002.
 */
export function evaluateConstant(expression: ts.Expression): Constant | undefined {
  const e = unwrap(expression);
  if (ts.isNumericLiteral(e)) return Number(e.text);
  if (ts.isStringLiteral(e) || ts.isNoSubstitutionTemplateLiteral(e)) return e.text;
  if (e.kind === ts.SyntaxKind.TrueKeyword) return true;
  if (e.kind === ts.SyntaxKind.FalseKeyword) return false;
  if (ts.isPrefixUnaryExpression(e)) return evaluateSign(e);
  if (ts.isBinaryExpression(e)) return evaluateBinary(e);
  if (ts.isArrayLiteralExpression(e)) return evaluateArray(e);
  return undefined;
}

/** `expression` without the parentheses and type assertions around it. */
function unwrap(expression: ts.Expression): ts.Expression {
  let e = expression;
  while (ts.isParenthesizedExpression(e) || ts.isAsExpression(e) || ts.isSatisfiesExpression(e)) {
    e = e.expression;
  }
  return e;
}

/** `-x` and `+x` for a constant number x. */
function evaluateSign(e: ts.PrefixUnaryExpression): number | undefined {
  const operand = evaluateConstant(e.operand);
  if (typeof operand !== 'number') return undefined;
  if (e.operator === ts.SyntaxKind.MinusToken) return -operand;
  return e.operator === ts.SyntaxKind.PlusToken ? operand : undefined;
}

/** Arithmetic on two constant numbers, or `+` on two constant strings. */
function evaluateBinary(e: ts.BinaryExpression): number | string | undefined {
  const left = evaluateConstant(e.left);
  const right = evaluateConstant(e.right);
  if (
    typeof left === 'string' &&
    typeof right === 'string' &&
    e.operatorToken.kind === ts.SyntaxKind.PlusToken
  ) {
    return left + right;
  }
  const operator = numberOperators.get(e.operatorToken.kind);
  if (!operator || typeof left !== 'number' || typeof right !== 'number') return undefined;
  return operator(left, right);
}

/** An array whose every element is a constant (no holes, no spreads). */
function evaluateArray(e: ts.ArrayLiteralExpression): Constant[] | undefined {
  const values: Constant[] = [];
  for (const element of e.elements) {
    const value = ts.isOmittedExpression(element) ? undefined : evaluateConstant(element);
    if (value === undefined) return undefined;
    values.push(value);
  }
  return values;
}
