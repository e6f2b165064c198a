/**
 * Writes imports/k8s-builtin-fields.json: for every built-in Kubernetes kind, which fields each of its types has,
 * so that lib/validate/builtin-schemas.ts can report unknown fields the way the API server's strict decoding does.
 *
 * Source: the `kubernetes-models` package (tommy351, generated from the official OpenAPI spec). Its precompiled ajv
 * validators (used at run time for types, formats, enums and required fields) do not reject unknown properties, so
 * the field lists are read here, at generation time, from the same package's TypeScript declarations with the
 * TypeScript compiler: one source, one version, nothing hand-written.
 *
 * Output (minified JSON):
 *   source  {package, version, apimachinery}  the package versions the data came from
 *   kinds   {"<apiVersion>/<Kind>": [schema, type]}  `schema` names kubernetes-models/_schemas/<schema>.js,
 *                                                    `type` indexes `types`
 *   types   [{field: ref}]  a struct's fields; a ref is
 *             ""      a scalar (string, number, boolean, int-or-string, quantity, time, ...)
 *             "*"     free-form JSON (RawExtension, JSON, FieldsV1, ...): nothing inside is checked
 *             "<n>"   the struct types[n]
 *             "[<r>"  an array of <r>;  "{<r>"  a map from strings to <r>
 *             "~<w><n>"  apiextensions' JSONSchemaPropsOrArray (w = a: a schema or a list of schemas), OrBool
 *                     (b: a schema or a boolean) or OrStringArray (s: a schema or a list of strings). The API server
 *                     decodes them leniently, so nothing inside is an unknown field, but each schema object in them is
 *                     still type-checked as the JSONSchemaProps types[n], whose validator is schemas[n]
 *   schemas {"<n>": schema}  the validator of each type used through "~"
 *
 * Run by `npm run import`; on its own: `tsx lib/cli/import-k8s-schemas.ts`.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as ts from 'typescript';
import { BUILTIN_FIELDS_FILE, BuiltinFieldData } from '../validate/builtin-schemas';

const root = path.resolve(__dirname, '..', '..');

// Types whose Go unmarshaler is custom and lenient (k8s.io/apiextensions-apiserver .../marshal.go): strict decoding
// does not look inside them, but an object in them is decoded (and so type-checked) as JSONSchemaProps.
const LENIENT_SCHEMA_WRAPPERS: Record<string, string> = { IJSONSchemaPropsOrArray: 'a', IJSONSchemaPropsOrBool: 'b', IJSONSchemaPropsOrStringArray: 's' };

interface KindFile {
  readonly file: string;
  readonly apiVersion: string;
  readonly kind: string;
  readonly schema: string;
  readonly iface: string;
}

function packageDir(name: string): string {
  return path.dirname(require.resolve(`${name}/package.json`, { paths: [root] }));
}

function listDeclarations(dir: string): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== '_schemas' && entry.name !== 'node_modules') out.push(...listDeclarations(full));
    } else if (entry.name.endsWith('.d.ts') && entry.name !== 'index.d.ts') {
      out.push(full);
    }
  }
  return out;
}

/** Every top-level kind: a declaration whose interface pins `apiVersion` and `kind` to literals (lists left out). */
function findKinds(modelsDir: string): KindFile[] {
  const kinds: KindFile[] = [];
  for (const file of listDeclarations(modelsDir)) {
    const text = fs.readFileSync(file, 'utf8');
    const iface = /export interface (I\w+) extends TypeMeta \{/.exec(text)?.[1];
    const apiVersion = /^\s*"apiVersion": "([^"]+)";/m.exec(text)?.[1];
    const kind = /^\s*"kind": "([^"]+)";/m.exec(text)?.[1];
    const schema = iface && new RegExp(`export \\{ ${iface} as I(IoK8s\\w+),`).exec(text)?.[1];
    if (!iface || !apiVersion || !kind || !schema || kind.endsWith('List')) continue;
    if (!fs.existsSync(path.join(modelsDir, '_schemas', `${schema}.js`))) throw new Error(`${file}: no validator _schemas/${schema}.js`);
    kinds.push({ file, apiVersion, kind, schema, iface });
  }
  return kinds.sort((a, b) => `${a.apiVersion}/${a.kind}`.localeCompare(`${b.apiVersion}/${b.kind}`));
}

/** Walks the declared types from each kind down and numbers every struct type it meets. */
class FieldMapBuilder {
  readonly types: Record<string, string>[] = [];
  readonly schemas: Record<string, string> = {};
  private readonly ids = new Map<ts.Type, number>();
  private readonly checker: ts.TypeChecker;

  constructor(private readonly program: ts.Program) {
    this.checker = program.getTypeChecker();
  }

  struct(type: ts.Type): number {
    const known = this.ids.get(type);
    if (known !== undefined) return known;
    const id = this.types.length;
    const fields: Record<string, string> = {};
    this.types.push(fields);
    this.ids.set(type, id);
    for (const prop of this.checker.getPropertiesOfType(type)) {
      const decl = prop.valueDeclaration ?? prop.declarations?.[0];
      if (!decl) throw new Error(`${this.checker.typeToString(type)}.${prop.name}: no declaration`);
      fields[prop.name] = this.ref(this.checker.getNonNullableType(this.checker.getTypeOfSymbolAtLocation(prop, decl)));
    }
    return id;
  }

  ref(type: ts.Type): string {
    const c = this.checker;
    if (type.flags & (ts.TypeFlags.Any | ts.TypeFlags.Unknown | ts.TypeFlags.NonPrimitive)) return '*';
    if (type.flags & (ts.TypeFlags.StringLike | ts.TypeFlags.NumberLike | ts.TypeFlags.BooleanLike)) return '';
    if (type.isUnion()) {
      if (type.types.every(t => t.flags & (ts.TypeFlags.StringLike | ts.TypeFlags.NumberLike | ts.TypeFlags.BooleanLike))) return '';
      throw new Error(`unsupported union type ${c.typeToString(type)}`);
    }
    if (c.isArrayType(type)) return `[${this.ref(c.getTypeArguments(type as ts.TypeReference)[0])}`;
    if (type.flags & ts.TypeFlags.Object) {
      const props = c.getPropertiesOfType(type);
      const index = c.getIndexInfoOfType(type, ts.IndexKind.String);
      if (props.length === 0 && index) return `{${this.ref(index.type)}`;
      if (props.length === 0) {
        const name = type.getSymbol()?.getName();
        if (name && Object.prototype.hasOwnProperty.call(LENIENT_SCHEMA_WRAPPERS, name)) return `~${LENIENT_SCHEMA_WRAPPERS[name]}${this.lenientSchema(type)}`;
        return '*';
      }
      if (index) throw new Error(`${c.typeToString(type)} has both fields and an index signature`);
      return String(this.struct(type));
    }
    throw new Error(`unsupported type ${c.typeToString(type)}`);
  }

  // JSONSchemaPropsOrX declared next to JSONSchemaProps in the same group version.
  private lenientSchema(wrapper: ts.Type): number {
    const file = wrapper.getSymbol()!.declarations![0].getSourceFile();
    const propsFile = path.join(path.dirname(file.fileName), 'JSONSchemaProps.d.ts');
    const source = this.program.getSourceFile(propsFile);
    if (!source) throw new Error(`${propsFile} not loaded`);
    const schema = /export \{ IJSONSchemaProps as I(IoK8s\w+),/.exec(source.text)?.[1];
    const moduleSymbol = this.checker.getSymbolAtLocation(source)!;
    const iface = this.checker.getExportsOfModule(moduleSymbol).find(s => s.getName() === 'IJSONSchemaProps');
    if (!schema || !iface) throw new Error(`${propsFile}: IJSONSchemaProps not found`);
    const id = this.struct(this.checker.getDeclaredTypeOfSymbol(iface));
    this.schemas[id] = schema;
    return id;
  }
}

export function buildBuiltinFieldData(): BuiltinFieldData {
  const modelsDir = packageDir('kubernetes-models');
  const apimachineryDir = packageDir('@kubernetes-models/apimachinery');
  const kinds = findKinds(modelsDir);
  const extra = listDeclarations(modelsDir).filter(f => /JSONSchemaProps\.d\.ts$/.test(f));
  const program = ts.createProgram([...kinds.map(k => k.file), ...extra], { strict: true, noEmit: true, skipLibCheck: true, types: [] });
  const checker = program.getTypeChecker();
  const builder = new FieldMapBuilder(program);
  const out: BuiltinFieldData['kinds'] = {};
  for (const k of kinds) {
    const source = program.getSourceFile(k.file);
    const moduleSymbol = source && checker.getSymbolAtLocation(source);
    const iface = moduleSymbol && checker.getExportsOfModule(moduleSymbol).find(s => s.getName() === k.iface);
    if (!iface) throw new Error(`${k.file}: ${k.iface} not found`);
    out[`${k.apiVersion}/${k.kind}`] = [k.schema, builder.struct(checker.getDeclaredTypeOfSymbol(iface))];
  }
  const version = (dir: string) => JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')).version as string;
  return {
    source: { package: 'kubernetes-models', version: version(modelsDir), apimachinery: version(apimachineryDir) },
    kinds: out,
    types: builder.types,
    schemas: builder.schemas,
  };
}

export function writeBuiltinFieldData(file = BUILTIN_FIELDS_FILE): BuiltinFieldData {
  const data = buildBuiltinFieldData();
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, `${JSON.stringify(data)}\n`);
  return data;
}

if (require.main === module) {
  const data = writeBuiltinFieldData();
  const size = fs.statSync(BUILTIN_FIELDS_FILE).size;
  process.stdout.write(`${path.relative(process.cwd(), BUILTIN_FIELDS_FILE)}: ${Object.keys(data.kinds).length} kinds, `
    + `${data.types.length} types from ${data.source.package}@${data.source.version} (${(size / 1024).toFixed(0)} KiB)\n`);
}
