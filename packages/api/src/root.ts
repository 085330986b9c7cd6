import { accountRouter } from "./router/account";
import { activityRouter } from "./router/activity";
import { artifactsRouter } from "./router/artifacts";
import { auditRouter } from "./router/audit";
import { connectionsRouter } from "./router/connections";
import { deadLettersRouter } from "./router/dead-letters";
import { deploymentRouter } from "./router/deployment";
import { dryRunRouter } from "./router/dry-run";
import { engineRouter } from "./router/engine";
import { flowRouter } from "./router/flow";
import { functionsRouter } from "./router/functions";
import { ingestRouter } from "./router/ingest";
import { logsRouter } from "./router/logs";
import { nodeTypesRouter } from "./router/node-types";
import { peekRouter } from "./router/peek";
import { secretsRouter } from "./router/secrets";
import { stateRouter } from "./router/state";
import { statsRouter } from "./router/stats";
import { tokensRouter } from "./router/tokens";
import { traceRouter } from "./router/trace";
import { usersRouter } from "./router/users";
import { createTRPCRouter } from "./trpc";

export const appRouter = createTRPCRouter({
  account: accountRouter,
  users: usersRouter,
  tokens: tokensRouter,
  audit: auditRouter,
  flow: flowRouter,
  deployment: deploymentRouter,
  stats: statsRouter,
  logs: logsRouter,
  deadLetters: deadLettersRouter,
  engine: engineRouter,
  activity: activityRouter,
  nodeTypes: nodeTypesRouter,
  secrets: secretsRouter,
  connections: connectionsRouter,
  functions: functionsRouter,
  ingest: ingestRouter,
  state: stateRouter,
  dryRun: dryRunRouter,
  artifacts: artifactsRouter,
  peek: peekRouter,
  trace: traceRouter,
});

export type AppRouter = typeof appRouter;
