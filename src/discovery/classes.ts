import ts from 'typescript';

/**
 * The name a class has at run time, which is the name the SDK registers it under: its own name, else the name
 * of the variable it is assigned to, else 'default' for an anonymous default export.
 */
export function className(node: ts.ClassLikeDeclaration): string {
  if (node.name) return node.name.text;
  const variable = assignedVariable(node);
  if (variable) return variable.name.getText();
  return isDefaultExport(node) ? 'default' : '(anonymous class)';
}

/** Whether `node` is exported from its module, by a modifier, an export list, or as the value of an export. */
export function isExported(node: ts.ClassLikeDeclaration, exportList: ReadonlySet<string>): boolean {
  if (ts.isClassDeclaration(node)) {
    const modified = hasModifier(node, ts.SyntaxKind.ExportKeyword);
    return ts.isSourceFile(node.parent) && (modified || exportList.has(className(node)));
  }
  if (ts.isExportAssignment(node.parent)) return true;
  const variable = assignedVariable(node);
  const statement = variable?.parent.parent;
  if (!variable || !statement || !ts.isVariableStatement(statement) || !ts.isSourceFile(statement.parent)) {
    return false;
  }
  return hasModifier(statement, ts.SyntaxKind.ExportKeyword) || exportList.has(variable.name.getText());
}

/**
 * The local names a module exports through `export { A, B as C }` (without `from`) and `export default A`.
 */
export function exportListNames(sourceFile: ts.SourceFile): Set<string> {
  const names = new Set<string>();
  for (const statement of sourceFile.statements) {
    if (ts.isExportAssignment(statement) && ts.isIdentifier(statement.expression)) {
      names.add(statement.expression.text);
    }
    if (ts.isExportDeclaration(statement) && !statement.moduleSpecifier && !statement.isTypeOnly) {
      const clause = statement.exportClause;
      for (const element of clause && ts.isNamedExports(clause) ? clause.elements : []) {
        names.add((element.propertyName ?? element.name).text);
      }
    }
  }
  return names;
}

/** The variable a class expression initializes (`const X = class {}`), if any. */
function assignedVariable(node: ts.ClassLikeDeclaration): ts.VariableDeclaration | undefined {
  const parent = node.parent;
  return ts.isClassExpression(node) && ts.isVariableDeclaration(parent) && parent.initializer === node
    ? parent
    : undefined;
}

function isDefaultExport(node: ts.ClassLikeDeclaration): boolean {
  return ts.isExportAssignment(node.parent) || hasModifier(node, ts.SyntaxKind.DefaultKeyword);
}

function hasModifier(node: ts.HasModifiers, kind: ts.ModifierSyntaxKind): boolean {
  return ts.getModifiers(node)?.some((modifier) => modifier.kind === kind) ?? false;
}
