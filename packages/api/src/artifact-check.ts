// Whether uploaded bytes are a component the wasm runtime can run: the runtime's own check
// (`inspectComponent`, which reads the component's types and runs nothing), plus the imports and
// exports kept with the artifact.
import { componentWit } from "@bytecodealliance/jco";
import { inspectComponent, WEIR_WORLD } from "@weir/function-contract/component-inspect";

export type ArtifactCheck =
  { ok: true; world: string; imports: string[]; exports: string[] } | { ok: false; message: string };

export async function checkArtifact(bytes: Uint8Array): Promise<ArtifactCheck> {
  const inspection = await inspectComponent(bytes, componentWit);
  if (!inspection.ok) return { ok: false, message: inspection.problems.join("; ") };
  const lines = (inspection.wit ?? "").split("\n").map((line) => line.trim());
  const imports = lines.flatMap((line) => /^import ([^:\s]+:[^\s;]+);$/.exec(line)?.[1] ?? []);
  const exports = lines.flatMap((line) => /^export ([a-z0-9-]+): func/.exec(line)?.[1] ?? []);
  return { ok: true, world: WEIR_WORLD, imports, exports };
}
