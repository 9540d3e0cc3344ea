/** A command-line mistake: reported on stderr with exit code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/**
 * Parses `--set name=value` arguments. The value is read as JSON when it parses (`lr=0.01`,
 * `targets=[5,3,1.5]`, `balanced=true`), else taken as a string (`mode=random`).
 */
export function parseOverrides(sets: readonly string[]): Record<string, unknown> {
  const overrides: Record<string, unknown> = {};
  for (const set of sets) {
    const eq = set.indexOf('=');
    if (eq <= 0) throw new UsageError(`--set expects name=value, got '${set}'`);
    const name = set.slice(0, eq).trim();
    overrides[name] = parseValue(set.slice(eq + 1));
  }
  return overrides;
}

function parseValue(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
