export { RegistryClient, RegistryError } from "./client";
export type {
  RegistryAuth,
  RegistryConnection,
  RegistrySchema,
  SchemaReference,
  SchemaType,
  SubjectVersion,
} from "./client";
export { RegistryDecoder, SchemaNotFetchedError } from "./decoder";
export type { DecodeResult } from "./decoder";
export { openEncoder, recordNameOf, subjectFor } from "./encoder";
export type { EncoderOptions, RegistryEncoder, SubjectStrategy } from "./encoder";
export type { SchemaFormat } from "./codec";
export { SchemaCompatibilityError } from "./errors";
export { SchemaMismatchError } from "./json";
export type { JsonValue } from "./json";
export { avroCodec } from "./avro";
export { protobufCodec } from "./protobuf";
export { jsonSchemaCodec } from "./json-schema";
export { WireFormatError, frame, unframe } from "./wire";
export { latestPortSchema, latestSubjectType, portSchemaOf } from "./port-schema";
export type { PortSchemaOptions } from "./port-schema";
