import ts from 'typescript';
import { isSdkDecoratorName, type SdkDecoratorName, type SdkImports } from './imports';

/**
 * One use of an SDK decorator. `args` holds the call's arguments, or is undefined for a bare use
 * (`@param`, `@lm.param`).
 */
export interface SdkDecorator {
  name: SdkDecoratorName;
  node: ts.Decorator;
  args: readonly ts.Expression[] | undefined;
}

/** The SDK decorators on `node`, in source order; decorators from other modules are left out. */
export function sdkDecoratorsOf(node: ts.Node, imports: SdkImports): SdkDecorator[] {
  const decorators = ts.canHaveDecorators(node) ? (ts.getDecorators(node) ?? []) : [];
  return decorators.flatMap((decorator) => {
    const use = recogniseDecorator(decorator, imports);
    return use ? [use] : [];
  });
}

/** `decorator` as an SDK decorator: `@name`, `@name(...)`, `@ns.name` or `@ns.name(...)`. */
export function recogniseDecorator(decorator: ts.Decorator, imports: SdkImports): SdkDecorator | undefined {
  const expression = decorator.expression;
  const call = ts.isCallExpression(expression) ? expression : undefined;
  const name = sdkNameOf(call ? call.expression : expression, imports);
  return name && { name, node: decorator, args: call?.arguments };
}

/** Which SDK decorator `callee` refers to, if any. */
function sdkNameOf(callee: ts.Expression, imports: SdkImports): SdkDecoratorName | undefined {
  if (ts.isIdentifier(callee)) return imports.named.get(callee.text);
  if (!ts.isPropertyAccessExpression(callee) || !ts.isIdentifier(callee.expression)) return undefined;
  if (!imports.namespaces.has(callee.expression.text)) return undefined;
  const member = callee.name.text;
  return isSdkDecoratorName(member) ? member : undefined;
}
