/**
 * Opaque Kubernetes types (URL, Quantity, IP, CIDR, Format, optional).
 *
 * `@bufbuild/cel` dispatches methods on the runtime type of the receiver, and the only user-extensible runtime
 * types are protobuf messages. So each opaque Kubernetes type is a tiny message in a descriptor built at load
 * time; equality is then protobuf equality, which is why each message holds a canonical form.
 */
import { objectType } from '@bufbuild/cel';
import { create, createFileRegistry, type DescMessage } from '@bufbuild/protobuf';
import { reflect, type ReflectMessage } from '@bufbuild/protobuf/reflect';
import { FieldDescriptorProto_Label, FieldDescriptorProto_Type, FileDescriptorProtoSchema } from '@bufbuild/protobuf/wkt';

const { STRING: PB_STRING, INT32: PB_INT32, BYTES: PB_BYTES, BOOL: PB_BOOL } = FieldDescriptorProto_Type;

function pbField(name: string, number: number, type: FieldDescriptorProto_Type, repeated = false) {
  const label = repeated ? FieldDescriptorProto_Label.REPEATED : FieldDescriptorProto_Label.OPTIONAL;
  return { name, number, type, label, jsonName: name };
}

export const OPAQUE_TYPES = createFileRegistry(
  create(FileDescriptorProtoSchema, {
    name: 'k8s/cel/types.proto',
    package: 'k8s.cel',
    syntax: 'proto3',
    messageType: [
      { name: 'URL', field: [pbField('raw', 1, PB_STRING)] },
      // value = unscaled * 10^-scale, normalised (no trailing zeros) so that equal quantities are equal messages
      { name: 'Quantity', field: [pbField('unscaled', 1, PB_STRING), pbField('scale', 2, PB_INT32)] },
      { name: 'IP', field: [pbField('addr', 1, PB_BYTES)] },
      { name: 'CIDR', field: [pbField('addr', 1, PB_BYTES), pbField('bits', 2, PB_INT32)] },
      { name: 'Format', field: [pbField('name', 1, PB_STRING)] },
      // Only what the Kubernetes libraries produce: none, or some(list<string>) from `<Format>.validate()`.
      { name: 'OptionalStringList', field: [pbField('present', 1, PB_BOOL), pbField('values', 2, PB_STRING, true)] },
    ],
  }),
  () => undefined,
);

function opaqueDesc(name: string): DescMessage {
  const desc = OPAQUE_TYPES.getMessage(`k8s.cel.${name}`);
  if (!desc) throw new Error(`k8s.cel.${name} missing from the opaque type registry`);
  return desc;
}

export const URL_DESC = opaqueDesc('URL');
export const QUANTITY_DESC = opaqueDesc('Quantity');
export const IP_DESC = opaqueDesc('IP');
export const CIDR_DESC = opaqueDesc('CIDR');
export const FORMAT_DESC = opaqueDesc('Format');
export const OPTIONAL_DESC = opaqueDesc('OptionalStringList');
export const URL_T = objectType(URL_DESC);
export const QUANTITY_T = objectType(QUANTITY_DESC);
export const IP_T = objectType(IP_DESC);
export const CIDR_T = objectType(CIDR_DESC);
export const FORMAT_T = objectType(FORMAT_DESC);
export const OPTIONAL_T = objectType(OPTIONAL_DESC);

export function opaque(desc: DescMessage, fields: object): ReflectMessage {
  return reflect(desc, create(desc, fields as never));
}

/** The fields of an opaque value, typed by the caller (the descriptor above is the contract). */
export function fieldsOf<T>(value: ReflectMessage): T {
  return value.message as unknown as T;
}
