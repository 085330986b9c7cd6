"use client";
import { useMutation } from "@tanstack/react-query";
import { useState } from "react";
import { useToast } from "~/components/toasts";
import { api, errorMessage } from "~/lib/trpc";
import { useSession } from "~/auth/session";

export function CreateFlowForm({ onCreated }: { onCreated: (id: string) => void }) {
  const blocked = useSession().whyNot("editor", "Creating a flow");
  const toast = useToast();
  const [name, setName] = useState("");
  const create = useMutation({
    mutationFn: (flowName: string) => api.flow.create.mutate({ name: flowName, nodes: [], edges: [] }),
    onSuccess: (flow) => {
      onCreated(flow.id);
    },
    onError: (error) => {
      toast.error(`Could not create the flow: ${errorMessage(error)}`);
    },
  });
  const trimmed = name.trim();
  return (
    <form
      className="inline-form"
      onSubmit={(event) => {
        event.preventDefault();
        if (trimmed !== "") create.mutate(trimmed);
      }}
    >
      <input
        className="input"
        placeholder="New flow name"
        aria-label="New flow name"
        data-testid="flow-create-name"
        value={name}
        maxLength={200}
        onChange={(event) => {
          setName(event.target.value);
        }}
      />
      <button
        type="submit"
        className="btn btn-primary"
        data-testid="flow-create-submit"
        title={blocked}
        disabled={trimmed === "" || create.isPending || blocked !== undefined}
      >
        {create.isPending ? "Creating…" : "Create flow"}
      </button>
    </form>
  );
}
