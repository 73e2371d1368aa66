import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

/**
 * The contract suite covers every method on both stores. The members come from the TenantStore
 * interface itself and the aggregates' interfaces it hands out, resolved by the compiler, so a
 * method added to any aggregate's interface fails this test until a contract test calls it.
 */
const here = dirname(fileURLToPath(import.meta.url));
const typesFile = join(here, '..', 'types.ts');

/**
 * Every method of TenantStore: its own (`close`, `bulkImport`, `bulkLoad`) and those of each aggregate it hands
 * out (`refreshTokens.rotateRefreshToken`), named without the aggregate. Properties such as `dialect`
 * are not methods.
 */
function tenantStoreMethods(): string[] {
  const program = ts.createProgram([typesFile], {
    target: ts.ScriptTarget.ES2023,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    allowImportingTsExtensions: true,
    noEmit: true,
    skipLibCheck: true,
    types: [],
  });
  const checker = program.getTypeChecker();
  const source = program.getSourceFile(typesFile)!;
  const declaration = source.statements.find(
    (s): s is ts.InterfaceDeclaration => ts.isInterfaceDeclaration(s) && s.name.text === 'TenantStore',
  );
  if (!declaration) throw new Error(`no interface TenantStore in ${typesFile}`);
  const isMethod = (member: ts.Symbol) => checker.getTypeOfSymbol(member).getCallSignatures().length > 0;
  const methods: string[] = [];
  for (const member of checker.getPropertiesOfType(checker.getTypeAtLocation(declaration))) {
    const type = checker.getTypeOfSymbol(member);
    if (isMethod(member)) methods.push(member.name);
    else if (type.flags & ts.TypeFlags.Object)
      methods.push(
        ...checker
          .getPropertiesOfType(type)
          .filter(isMethod)
          .map((part) => part.name),
      );
  }
  return methods.sort();
}

/** The names called as `<anything>.<name>(...)` in a file: calls only, not comments or strings. */
function calledMethodNames(file: string): Set<string> {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.ES2023, true);
  const names = new Set<string>();
  const visit = (node: ts.Node) => {
    if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression))
      names.add(node.expression.name.text);
    ts.forEachChild(node, visit);
  };
  visit(source);
  return names;
}

describe('the TenantStore contract suite', () => {
  it('calls every method of TenantStore in some contract test', () => {
    const methods = tenantStoreMethods();
    // A sanity floor: an interface that failed to resolve would make every check below pass.
    expect(methods).toEqual(
      expect.arrayContaining([
        'getSettings',
        'issueRefreshToken',
        'createSession',
        'addEvent',
        'bulkImport',
        'bulkLoad',
        'close',
      ]),
    );
    // The harness counts too: it closes every store, which is all `close` promises.
    const contractFiles = readdirSync(here).filter((name) => name.endsWith('.contract.test.ts'));
    expect(contractFiles.length).toBeGreaterThan(0);
    contractFiles.push('contract-harness.ts');
    const called = new Set(contractFiles.flatMap((name) => [...calledMethodNames(join(here, name))]));
    const uncalled = methods.filter((name) => !called.has(name));
    expect(
      uncalled,
      `TenantStore methods that no contract test (${here}/*.contract.test.ts, or the harness) calls`,
    ).toEqual([]);
  });
});
