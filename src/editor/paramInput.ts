import type { ParamDecl } from '../discovery/types';

/** A parameter as the input box shows it: JSON for arrays, plain text otherwise. */
export function formatParam(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/**
 * Reads what the user typed for a parameter, checked against its type (from its default):
 * a finite number, true/false, any string, or a list of numbers (`[5, 3, 1.5]` or `5, 3, 1.5`).
 */
export function parseParam(
  param: Pick<ParamDecl, 'name' | 'type'>,
  text: string,
): { value: unknown } | { error: string } {
  const trimmed = text.trim();
  switch (param.type) {
    case 'number': {
      const value = Number(trimmed);
      return trimmed !== '' && Number.isFinite(value)
        ? { value }
        : { error: `${param.name} expects a number` };
    }
    case 'boolean':
      return trimmed === 'true' || trimmed === 'false'
        ? { value: trimmed === 'true' }
        : { error: `${param.name} expects true or false` };
    case 'string':
      return { value: text };
    case 'number[]': {
      const body = trimmed.replace(/^\[|\]$/g, '').trim();
      const values = body === '' ? [] : body.split(',').map((v) => Number(v.trim()));
      return values.every((v) => Number.isFinite(v)) && !/,\s*(,|$)/.test(body)
        ? { value: values }
        : { error: `${param.name} expects a list of numbers, e.g. [5, 3, 1.5]` };
    }
    default:
      try {
        return { value: JSON.parse(trimmed) };
      } catch {
        return { value: text };
      }
  }
}
