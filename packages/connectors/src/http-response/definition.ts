import { z } from "zod";
import type { NodeTypeDefinition } from "@weir/domain";

export const httpResponseConfigSchema = z.object({});
export type HttpResponseConfig = z.infer<typeof httpResponseConfigSchema>;

export const httpResponseNodeType: NodeTypeDefinition<HttpResponseConfig> = {
  type: "http-response",
  version: 1,
  kind: "sink",
  name: "HTTP response",
  description:
    "Streams each record it receives back to the HTTP request (of this flow's HTTP request source) it came from, as it arrives.",
  icon: "upload",
  configSchema: httpResponseConfigSchema,
  ports: { fixed: [] },
};
