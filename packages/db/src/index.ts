// @weir/db: the metadata database. Prisma client factory, migrations, and the generated types.
export { createDb, type Db } from "./client";
export {
  SecretBox,
  SecretBoxError,
  generateSecretKey,
  parseSecretKey,
  sealedKeyId,
  secretKeyId,
} from "./secret-box";
export {
  attachInstallationKeys,
  installationKeys,
  secretBoxOf,
  type InstallationKeys,
} from "./installation-keys";
export { ingestContext, ingestToken, rotateIngestToken } from "./ingest-tokens";
export {
  openConnectionSecrets,
  openSecretValue,
  prepareSecretStore,
  rotateSecretKey,
  sealConnectionSecrets,
  sealContext,
  sealSecretValue,
  type RotationResult,
  type SecretStoreStatus,
} from "./sealed-secrets";
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
  storableJsonText,
  fromStorableJson,
  storedJsonView,
  isStorableWrapper,
  isUnstorableText,
  isInexactNumber,
  storableText,
  type StorableJson,
} from "./storable-json";
export {
  DEPLOYMENT_CHANNEL,
  listenForDeployments,
  type DeploymentSignals,
  type DeploymentSignalOptions,
} from "./deployment-signals";
