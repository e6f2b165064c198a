// API.md is generated from the doc comments by `npm run docs` (TypeDoc); whether it is exactly current is checked by
// `npm run test:docs` in CI, since generating takes seconds. These checks are cheap enough for every `npm test`: the
// doc comments API.md is made from are complete, and API.md has a heading for every export and every prop's default.
import * as fs from 'fs';
import * as path from 'path';
import * as ts from 'typescript';

const ROOT = path.join(__dirname, '..');
const ENTRY_POINTS = ['lib/index.ts', 'lib/validate/index.ts'];
/** The interfaces a caller fills in, by the names this library gives them. */
const PROPS = /(Props|Options|Attributes|Config|Settings|Spec)$/;

// lib/ alone, without imports/ or the standard library: only declarations, comments and re-exports are read (~1 s).
const libFiles = (fs.readdirSync(path.join(ROOT, 'lib'), { recursive: true }) as string[]).filter(f => f.endsWith('.ts')).map(f => path.join(ROOT, 'lib', f));
const program = ts.createProgram(libFiles, { noResolve: true, noLib: true, types: [] });
const checker = program.getTypeChecker();

/** Every symbol the package exports, resolved to its declaration, with the name it is exported as. */
const exported = ENTRY_POINTS.flatMap(entry => {
  const module = checker.getSymbolAtLocation(program.getSourceFile(path.join(ROOT, entry))!)!;
  return checker.getExportsOfModule(module).map(symbol => ({
    name: symbol.name,
    symbol: symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol,
  }));
});
const interfaces = exported.filter(e => e.symbol.flags & ts.SymbolFlags.Interface);

const docOf = (symbol: ts.Symbol) => ts.displayPartsToString(symbol.getDocumentationComment(checker)).trim();
const defaultOf = (symbol: ts.Symbol) => symbol.getJsDocTags(checker).find(t => t.name === 'default');
function where(node: ts.Node): string {
  const file = node.getSourceFile();
  return `${path.relative(ROOT, file.fileName)}:${file.getLineAndCharacterOfPosition(node.getStart()).line + 1}`;
}

interface Member {
  /** As API.md shows it: `model.uri` for a member of an inline object type. */
  readonly name: string;
  readonly symbol: ts.Symbol;
  readonly declaration: ts.Declaration;
  /** The interface that declares it (its base, for an inherited member). */
  readonly owner: string;
}

/** The members of an interface, inherited ones included, and the members of inline object types among them. */
function membersOf(symbol: ts.Symbol): Member[] {
  const members: Member[] = [];
  const visit = (member: ts.Symbol, name: string) => {
    const declaration = member.valueDeclaration ?? member.declarations?.[0];
    if (!declaration) return;
    let owner: ts.Node = declaration.parent;
    while (!ts.isInterfaceDeclaration(owner) && !ts.isSourceFile(owner)) owner = owner.parent;
    members.push({ name, symbol: member, declaration, owner: ts.isInterfaceDeclaration(owner) ? owner.name.text : '?' });
    const type = ts.isPropertySignature(declaration) ? declaration.type : undefined;
    if (type && ts.isTypeLiteralNode(type)) {
      for (const m of type.members) {
        const s = m.name && checker.getSymbolAtLocation(m.name);
        if (s) visit(s, `${name}.${s.name}`);
      }
    }
  };
  for (const member of checker.getPropertiesOfType(checker.getDeclaredTypeOfSymbol(symbol))) visit(member, member.name);
  return members;
}

describe('the doc comments API.md is generated from', () => {
  test('every export of the package\'s entry points has a doc comment', () => {
    const undocumented = exported.filter(e => !docOf(e.symbol)).map(e => e.name);
    expect(undocumented).toEqual([]);
  });

  test('every import helper (a class\'s static fromXxx) has a doc comment', () => {
    const helpers = exported.filter(e => e.symbol.flags & ts.SymbolFlags.Class)
      .flatMap(e => [...(e.symbol.exports as Map<string, ts.Symbol> | undefined)?.values() ?? []]
        .filter(s => /^from[A-Z]/.test(s.name)).map(s => ({ name: `${e.name}.${s.name}`, symbol: s })));
    expect(helpers.map(h => h.name)).toContain('IngressGateway.fromGatewayAttributes');
    expect(helpers.filter(h => !docOf(h.symbol)).map(h => h.name)).toEqual([]);
  });

  test('every member of an exported interface has a doc comment, and every optional member of a props interface its @default', () => {
    const problems = new Set<string>();
    for (const { symbol } of interfaces) {
      for (const m of membersOf(symbol)) {
        const at = `${where(m.declaration)} ${m.owner}.${m.name}`;
        if (!docOf(m.symbol)) problems.add(`${at}: no doc comment`);
        if (PROPS.test(m.owner) && m.symbol.flags & ts.SymbolFlags.Optional && !defaultOf(m.symbol)) problems.add(`${at}: optional, but no @default`);
      }
    }
    expect([...problems]).toEqual([]);
  });
});

describe('API.md', () => {
  const apiMd = fs.readFileSync(path.join(ROOT, 'API.md'), 'utf8');
  const unescape = (text: string) => text.replace(/\\(.)/g, '$1');
  /** Each `### Name` section of API.md (a class, interface, enum, type, variable or function), by name. */
  const sections = new Map(apiMd.split(/^(?=### )/m).slice(1).map(s => [unescape(s.slice(4, s.indexOf('\n'))).replace(/\(\)$/, ''), s]));
  /** Markdown and a comment's tag text alike, reduced to words: code spans, escapes, links and `@default -` removed. */
  const plain = (text: string) => text.replace(/\{@link\s+([^\s|}]+)[^}]*\}/g, '$1').replace(/[`\\]/g, '').replace(/^-\s*/, '').replace(/\s+/g, ' ').trim();

  test('ships in the package', () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
    expect(pkg.files).toContain('API.md');
  });

  test('has a section for each of the package\'s exports', () => {
    expect(exported.length).toBeGreaterThan(100);
    expect(exported.map(e => e.name).filter(name => !sections.has(name))).toEqual([]);
  });

  test('shows every optional props member\'s @default in its row of the props table', () => {
    const missing: string[] = [];
    let shown = 0;
    for (const { name, symbol } of interfaces.filter(i => PROPS.test(i.name))) {
      for (const m of membersOf(symbol)) {
        // A required member that narrows an optional one of its base reads the base's @default through TypeScript.
        const tag = m.symbol.flags & ts.SymbolFlags.Optional ? defaultOf(m.symbol) : undefined;
        if (!tag) continue;
        const value = plain(ts.displayPartsToString(tag.text));
        const row = sections.get(name)?.split('\n').find(line => new RegExp(`^\\| (<a id="[^"]+"></a> )?\`${m.name.replace(/\./g, '\\.')}\\??\` \\|`).test(line));
        if (row && plain(row).includes(value)) shown++;
        else missing.push(`${name}.${m.name}: @default ${value}`);
      }
    }
    expect(missing).toEqual([]);
    expect(shown).toBeGreaterThan(100);
  });
});
