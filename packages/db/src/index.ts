// @weir/db: the metadata database. Prisma client factory, migrations, and the generated types.
export { createDb, type Db } from "./client";
export {
  migrate,
  migrationChecksum,
  defaultMigrationsDir,
  type MigrateOptions,
  type MigrateResult,
} from "./migrate";
export {
  Prisma,
  DesiredState,
  ActualState,
  type Flow,
  type FlowVersion,
  type Deployment,
  type NodeStats,
  type SinkLogEntry,
  type DeadLetter,
  type SourceCheckpoint,
  type EngineInstance,
} from "./generated/prisma/client";
export {
  STORABLE_JSON_MARK,
  toStorableJson,
  fromStorableJson,
  isStorableWrapper,
  isUnstorableText,
  isInexactNumber,
  storableText,
  type StorableJson,
} from "./storable-json";
