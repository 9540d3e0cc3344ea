import type ts from 'typescript';
import { rangeIn, report, type DiscoveryContext } from './context';
import type { SdkDecorator } from './decorators';
import { evaluateConstant, type Constant } from './literals';
import { sourceSnippet } from './options';
import type { ParamDecl, ParamType, ParamValue } from './types';

/** A default as discovery knows it. */
interface ParamDefault {
  value: ParamValue | undefined;
  type: ParamType;
}

/**
 * Reads the `@param` field `field` named `name`. A field without an initializer is reported and left out; a
 * default that is not a constant is listed as unknown, with an info diagnostic.
 */
export function readParam(
  context: DiscoveryContext,
  use: SdkDecorator,
  field: ts.PropertyDeclaration,
  name: string,
): ParamDecl | undefined {
  if (use.args) {
    report(
      context,
      'param-called',
      use.node,
      `@param is used bare, without parentheses: @param ${name} = ...;`,
    );
  }
  if (!field.initializer) {
    const message = `Param '${name}' needs a default, which also sets its type: @param ${name} = 0.01;`;
    report(context, 'param-missing-default', field.name, message);
    return undefined;
  }
  const { value, type } = readDefault(context, field.initializer, name);
  return {
    name,
    default: value,
    type,
    range: rangeIn(context, field),
    nameRange: rangeIn(context, field.name),
  };
}

/** The default's value and type, reporting a default that is not a constant or not of a param type. */
function readDefault(context: DiscoveryContext, initializer: ts.Expression, name: string): ParamDefault {
  const constant = evaluateConstant(initializer);
  const known = constant === undefined ? undefined : typed(constant);
  if (known) return known;
  if (constant === undefined) {
    const message = `The default of '${name}' is not a literal; it will be known when the experiment runs.`;
    report(context, 'param-default-not-literal', initializer, message);
  } else {
    const message = `The default of '${name}', ${sourceSnippet(context, initializer)}, is not a number, boolean, string or number[].`;
    report(context, 'param-default-unsupported', initializer, message);
  }
  return { value: undefined, type: 'unknown' };
}

/** `constant` with its param type, when it has one. */
function typed(constant: Constant): ParamDefault | undefined {
  if (typeof constant === 'number') return { value: constant, type: 'number' };
  if (typeof constant === 'boolean') return { value: constant, type: 'boolean' };
  if (typeof constant === 'string') return { value: constant, type: 'string' };
  return isNumberArray(constant) ? { value: [...constant], type: 'number[]' } : undefined;
}

function isNumberArray(constant: readonly Constant[]): constant is readonly number[] {
  return constant.every((element) => typeof element === 'number');
}
