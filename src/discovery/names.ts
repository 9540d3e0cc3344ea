import ts from 'typescript';

/**
 * The name of a class member as the SDK sees it (`context.name`): the identifier, `#name` for a private one,
 * the text of a string or number key. Undefined for members without a name (constructors, static blocks) and
 * for computed keys, whose name is only known at run time.
 */
export function memberName(member: ts.ClassElement): string | undefined {
  const name = member.name;
  if (!name || ts.isComputedPropertyName(name)) return undefined;
  return name.text;
}

/** Whether `member` is a non-static method, the only kind `@observable`, `@prediction` and the runner call. */
export function isInstanceMethod(member: ts.ClassElement): member is ts.MethodDeclaration {
  return ts.isMethodDeclaration(member) && !isStatic(member);
}

/** Whether `member` is a plain non-static field (not a method, accessor or `accessor` field). */
export function isInstanceField(member: ts.ClassElement): member is ts.PropertyDeclaration {
  return (
    ts.isPropertyDeclaration(member) && !isStatic(member) && !ts.isAutoAccessorPropertyDeclaration(member)
  );
}

/** Whether `member` can be called as `instance.name()`: a method, or a field holding a function. */
export function isCallableMember(member: ts.ClassElement): boolean {
  if (isInstanceMethod(member)) return true;
  const initializer = isInstanceField(member) ? member.initializer : undefined;
  return !!initializer && (ts.isArrowFunction(initializer) || ts.isFunctionExpression(initializer));
}

function isStatic(member: ts.ClassElement): boolean {
  const modifiers = ts.canHaveModifiers(member) ? ts.getModifiers(member) : undefined;
  return modifiers?.some((modifier) => modifier.kind === ts.SyntaxKind.StaticKeyword) ?? false;
}
