-- AlterTable
ALTER TABLE "secrets" ADD COLUMN     "key_id" TEXT;

-- AlterTable
ALTER TABLE "connection_profiles" ADD COLUMN     "key_id" TEXT;
