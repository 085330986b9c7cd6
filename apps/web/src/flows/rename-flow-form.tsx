"use client";
import { useMutation } from "@tanstack/react-query";
import { useState } from "react";
import { useToast } from "~/components/toasts";
import { api, errorMessage } from "~/lib/trpc";

export function RenameFlowForm({ flow, onDone }: { flow: { id: string; name: string }; onDone: () => void }) {
  const toast = useToast();
  const [name, setName] = useState(flow.name);
  const rename = useMutation({
    mutationFn: (newName: string) => api.flow.rename.mutate({ id: flow.id, name: newName }),
    onSuccess: (saved) => {
      toast.success(`Renamed to “${saved.name}” (v${saved.version})`);
      onDone();
    },
    onError: (error) => {
      toast.error(`Could not rename: ${errorMessage(error)}`);
    },
  });
  const trimmed = name.trim();
  return (
    <form
      className="inline-form"
      onSubmit={(event) => {
        event.preventDefault();
        if (trimmed === flow.name) onDone();
        else if (trimmed !== "") rename.mutate(trimmed);
      }}
    >
      <input
        className="input input-small"
        aria-label="Flow name"
        data-testid="flow-rename-input"
        value={name}
        maxLength={200}
        autoFocus
        onChange={(event) => {
          setName(event.target.value);
        }}
        onKeyDown={(event) => {
          if (event.key === "Escape") onDone();
        }}
      />
      <button
        type="submit"
        className="btn btn-small btn-primary"
        data-testid="flow-rename-submit"
        disabled={trimmed === "" || rename.isPending}
      >
        Save
      </button>
      <button type="button" className="btn btn-small" data-testid="flow-rename-cancel" onClick={onDone}>
        Cancel
      </button>
    </form>
  );
}
