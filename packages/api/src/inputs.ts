// Input pieces several routers share, bounded to what their database columns hold.
import { LIMITS } from "@weir/domain";
import { z } from "zod";

/** A flow version number: a Postgres `integer`, so at most 2^31 - 1. */
export const versionNumber = z
  .number()
  .int("must be an integer")
  .positive("must be at least 1")
  .max(LIMITS.int32Max, `must be at most ${LIMITS.int32Max} (a version number is a 32-bit integer)`);
