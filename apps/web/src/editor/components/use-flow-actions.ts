"use client";
// What the editor's buttons do to the server: save (problems placed on the canvas), deploy (saving
// first when needed), stop, open an older version, roll back. One action at a time: `busy` says which.
import { useQueryClient } from "@tanstack/react-query";
import type { RefObject } from "react";
import { useCallback, useState } from "react";
import { useToast } from "~/components/toasts";
import { keys } from "~/lib/query-keys";
import { api, errorMessage } from "~/lib/trpc";
import { docOfSpec } from "../graph";
import { placeProblems, problemsOfError } from "../problems";
import type { EditorState } from "./use-editor-state";

export type Busy = "save" | "deploy" | "stop" | "rollback" | "open" | null;

interface Options {
  /** Null for a new flow not saved yet: the first save creates it. */
  flowId: string | null;
  state: EditorState;
  running: boolean;
  shownVersion: number;
  setShownVersion: (version: number) => void;
  /** Inline field errors by `<nodeId>.<key>`: saving waits until they are fixed. */
  fieldErrors: RefObject<Map<string, string>>;
  /** Called when a save or deploy came back with problems to look at. */
  onProblems: () => void;
  /** A new flow was created by the first save (or the deploy that saved it first). */
  onCreated: (id: string) => void;
}

export interface FlowActions {
  busy: Busy;
  save: (message?: string) => Promise<number | null>;
  deploy: () => Promise<void>;
  stop: () => Promise<void>;
  openVersion: (version: number) => Promise<void>;
  rollback: (version: number) => Promise<void>;
}

export function useFlowActions({
  flowId,
  state,
  running,
  shownVersion,
  setShownVersion,
  fieldErrors,
  onProblems,
  onCreated,
}: Options): FlowActions {
  const toast = useToast();
  const queryClient = useQueryClient();
  const [busy, setBusy] = useState<Busy>(null);

  const invalidateFlow = useCallback(
    async (id: string | null = flowId) => {
      await Promise.all([
        ...(id === null
          ? []
          : [
              queryClient.invalidateQueries({ queryKey: keys.versions(id) }),
              queryClient.invalidateQueries({ queryKey: keys.deployment(id) }),
            ]),
        queryClient.invalidateQueries({ queryKey: keys.flows }),
        // A save asked the registry afresh: the types shown beside the draft ask again too.
        queryClient.invalidateQueries({ queryKey: keys.derivedPortTypes }),
      ]);
    },
    [queryClient, flowId],
  );

  /**
   * Saves the document as a new version (or, for a new flow, creates it as version 1): the flow
   * and version, or null when it was refused (and why is shown).
   */
  const persist = useCallback(
    async (message?: string): Promise<{ id: string; version: number } | null> => {
      const nodeIds = new Set(state.doc.nodes.map((n) => n.id));
      const invalid = [...fieldErrors.current.entries()].find(([where]) =>
        nodeIds.has(where.split(".")[0] ?? ""),
      );
      if (invalid) {
        toast.error(`Not saved: fix the highlighted field first (${invalid[0]}: ${invalid[1]})`, "save");
        return null;
      }
      const doc = state.doc;
      setBusy("save");
      try {
        const text = message?.trim() ?? "";
        const saved =
          flowId === null
            ? await api.flow.create.mutate(doc)
            : await api.flow.update.mutate({
                id: flowId,
                spec: doc,
                ...(text === "" ? {} : { message: text }),
              });
        state.markSaved(doc, saved.version);
        setShownVersion(saved.version);
        // Notes (a skipped registry lookup) never refuse a save; the Problems tab lists them.
        const notes = saved.notes ?? [];
        state.setProblems(notes.length > 0 ? placeProblems([], doc, notes) : null);
        const noted =
          notes.length > 0
            ? ` (${String(notes.length)} note${notes.length === 1 ? "" : "s"} in Problems)`
            : "";
        toast.success(
          `${flowId === null ? "Created, saved as v1" : `Saved as v${saved.version}`}${noted}`,
          "save",
        );
        await invalidateFlow(saved.id);
        return { id: saved.id, version: saved.version };
      } catch (error) {
        const problems = problemsOfError(error);
        if (problems && problems.length > 0) {
          state.setProblems(placeProblems(problems, doc));
          onProblems();
          toast.error(
            `Not saved: ${problems.length} problem${problems.length === 1 ? "" : "s"}, marked on the canvas`,
            "save",
          );
        } else {
          toast.error(`Not saved: ${errorMessage(error)}`, "save");
        }
        return null;
      } finally {
        setBusy(null);
      }
    },
    [state, flowId, toast, invalidateFlow],
  );

  const save = useCallback(
    async (message?: string): Promise<number | null> => {
      const saved = await persist(message);
      if (saved !== null && flowId === null) onCreated(saved.id);
      return saved?.version ?? null;
    },
    [persist, flowId, onCreated],
  );

  const deploy = useCallback(async () => {
    let target = state.savedVersion;
    let id = flowId;
    if (id === null || state.dirty || shownVersion !== state.savedVersion) {
      const saved = await persist();
      if (saved === null) return;
      target = saved.version;
      id = saved.id;
    }
    setBusy("deploy");
    try {
      const result = await api.deployment.deploy.mutate({ flowId: id, version: target });
      toast.success(`Deploying v${result.version}`, "deploy");
      await invalidateFlow(id);
    } catch (error) {
      const problems = problemsOfError(error);
      if (problems && problems.length > 0) {
        state.setProblems(placeProblems(problems, state.saved));
        onProblems();
        toast.error(`Not deployed: ${problems.map((p) => p.message).join("; ")}`, "deploy");
      } else toast.error(`Not deployed: ${errorMessage(error)}`, "deploy");
    } finally {
      setBusy(null);
      // A new flow saved by this deploy: the editor moves to it, deployed or not.
      if (flowId === null) onCreated(id);
    }
  }, [state, shownVersion, persist, flowId, toast, invalidateFlow, onCreated]);

  const stop = useCallback(async () => {
    if (flowId === null) return;
    setBusy("stop");
    try {
      await api.deployment.stop.mutate({ flowId });
      toast.success("Stopping: in-flight records are drained first");
      await invalidateFlow();
    } catch (error) {
      toast.error(`Could not stop: ${errorMessage(error)}`);
    } finally {
      setBusy(null);
    }
  }, [flowId, toast, invalidateFlow]);

  const openVersion = useCallback(
    async (n: number) => {
      if (flowId === null) return;
      setBusy("open");
      try {
        const flow = await api.flow.get.query({ id: flowId, version: n });
        state.edit(() => docOfSpec(flow.spec));
        state.setProblems(null);
        setShownVersion(n);
        toast.success(`v${n} is on the canvas; save it to make it the latest version, or undo to go back`);
      } catch (error) {
        toast.error(`Could not open v${n}: ${errorMessage(error)}`);
      } finally {
        setBusy(null);
      }
    },
    [flowId, state, toast],
  );

  const rollback = useCallback(
    async (n: number) => {
      if (flowId === null) return;
      setBusy("rollback");
      try {
        const saved = await api.flow.rollback.mutate({ id: flowId, version: n });
        const flow = await api.flow.get.query({ id: flowId, version: saved.version });
        state.load(docOfSpec(flow.spec), saved.version);
        setShownVersion(saved.version);
        if (running) {
          const deployed = await api.deployment.deploy.mutate({ flowId, version: saved.version });
          toast.success(
            `Rolled back to v${n} (saved as v${saved.version}) and redeployed v${deployed.version}`,
          );
        } else toast.success(`Rolled back to v${n}, saved as v${saved.version}`);
        await invalidateFlow();
      } catch (error) {
        toast.error(`Could not roll back: ${errorMessage(error)}`);
      } finally {
        setBusy(null);
      }
    },
    [flowId, state, running, toast, invalidateFlow],
  );

  return { busy, save, deploy, stop, openVersion, rollback };
}
