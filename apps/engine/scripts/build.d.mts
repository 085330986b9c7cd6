/** Bundles the engine into `outdir` (apps/engine/dist unless given); resolves with the folder. */
export function buildEngine(outdir?: string): Promise<string>;
