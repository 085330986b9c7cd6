import ts from "typescript";
import type { CodeProblem } from "@weir/domain";

export const IMPORTS_UNAVAILABLE = "imports are not available in functions: use ctx";

export const NO_HANDLER =
  "the function exports no handler: add `export default async function handle(record, ctx) { … }` " +
  "or an ordered `export async function* stream(records, ctx) { … }`";

/**
 * What the sandbox cannot honour, found in the syntax tree: any import or re-export that would
 * load a module at run time (type-only imports are erased and allowed), `import.meta`, and a
 * module without a default export or a `stream` export. Positions are 1-based.
 */
export function moduleProblems(file: ts.SourceFile, options: { checkExports: boolean }): CodeProblem[] {
  const problems: CodeProblem[] = [];
  const at = (node: ts.Node, message: string): void => {
    const { line, character } = file.getLineAndCharacterOfPosition(node.getStart(file));
    problems.push({ message, line: line + 1, column: character + 1 });
  };
  const imported = (specifier: ts.Expression | undefined): string =>
    specifier && ts.isStringLiteral(specifier) ? ` (found an import of "${specifier.text}")` : "";

  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) && !isTypeOnlyImport(node)) {
      at(node, IMPORTS_UNAVAILABLE + imported(node.moduleSpecifier));
    } else if (
      ts.isImportEqualsDeclaration(node) &&
      !node.isTypeOnly &&
      ts.isExternalModuleReference(node.moduleReference)
    ) {
      at(node, IMPORTS_UNAVAILABLE + imported(node.moduleReference.expression));
    } else if (ts.isExportDeclaration(node) && node.moduleSpecifier && !node.isTypeOnly) {
      at(node, IMPORTS_UNAVAILABLE + imported(node.moduleSpecifier));
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      at(node, IMPORTS_UNAVAILABLE + imported(node.arguments[0]));
    } else if (ts.isMetaProperty(node) && node.keywordToken === ts.SyntaxKind.ImportKeyword) {
      at(node, "import.meta is not available in functions");
    }
    ts.forEachChild(node, visit);
  };
  visit(file);

  if (options.checkExports) {
    const exported = exportedNames(file);
    if (!exported.has("default") && !exported.has("stream")) {
      problems.push({ message: NO_HANDLER, line: 1, column: 1 });
    }
  }
  return problems;
}

function isTypeOnlyImport(node: ts.ImportDeclaration): boolean {
  const clause = node.importClause;
  if (!clause) return false;
  if (clause.phaseModifier === ts.SyntaxKind.TypeKeyword) return true;
  const bindings = clause.namedBindings;
  return (
    clause.name === undefined &&
    bindings !== undefined &&
    ts.isNamedImports(bindings) &&
    bindings.elements.length > 0 &&
    bindings.elements.every((element) => element.isTypeOnly)
  );
}

function exportedNames(file: ts.SourceFile): Set<string> {
  const names = new Set<string>();
  for (const statement of file.statements) {
    if (ts.isExportAssignment(statement) && !statement.isExportEquals) {
      names.add("default");
    } else if (ts.isExportDeclaration(statement) && !statement.isTypeOnly && !statement.moduleSpecifier) {
      const clause = statement.exportClause;
      if (clause && ts.isNamedExports(clause)) {
        for (const element of clause.elements) if (!element.isTypeOnly) names.add(element.name.text);
      }
    } else if (hasExportModifier(statement)) {
      if (hasModifier(statement, ts.SyntaxKind.DefaultKeyword)) {
        names.add("default");
      } else if (
        (ts.isFunctionDeclaration(statement) || ts.isClassDeclaration(statement)) &&
        statement.name
      ) {
        names.add(statement.name.text);
      } else if (ts.isVariableStatement(statement)) {
        for (const declaration of statement.declarationList.declarations) {
          if (ts.isIdentifier(declaration.name)) names.add(declaration.name.text);
        }
      }
    }
  }
  return names;
}

function hasExportModifier(statement: ts.Statement): boolean {
  return hasModifier(statement, ts.SyntaxKind.ExportKeyword);
}

function hasModifier(statement: ts.Statement, kind: ts.SyntaxKind): boolean {
  return (
    ts.canHaveModifiers(statement) &&
    (ts.getModifiers(statement)?.some((modifier) => modifier.kind === kind) ?? false)
  );
}
