"use client";
// Deleting a row of a management list, as the flows, secrets and connections pages do it: the
// row's Delete button, the question it opens, and the mutation that deletes and says so.
import { useMutation } from "@tanstack/react-query";
import { errorMessage } from "~/lib/trpc";
import { ConfirmDialog } from "./confirm-dialog";
import { useToast } from "./toasts";

/** A row's Delete button; `blocked` (why the viewer may not) disables it and says why on hover. */
export function DeleteButton({
  testId,
  blocked,
  onClick,
}: {
  testId: string;
  blocked?: string | undefined;
  onClick: () => void;
}) {
  return (
    <button
      type="button"
      className="btn btn-small btn-ghost btn-danger-text"
      data-testid={testId}
      title={blocked}
      disabled={blocked !== undefined}
      onClick={onClick}
    >
      Delete
    </button>
  );
}

/** The question before deleting: confirming deletes, and either answer closes it. */
export function ConfirmDelete({
  title,
  message,
  onDelete,
  onClose,
}: {
  title: string;
  message: string;
  onDelete: () => void;
  onClose: () => void;
}) {
  return (
    <ConfirmDialog
      title={title}
      message={message}
      confirmLabel="Delete"
      danger
      onCancel={onClose}
      onConfirm={() => {
        onDelete();
        onClose();
      }}
    />
  );
}

/** Deletes one item; a toast says `deleted(item)` or why it could not, and `refresh` reloads the list. */
export function useDeleteMutation<T>(options: {
  mutationFn: (item: T) => Promise<unknown>;
  deleted: (item: T) => string;
  refresh: () => Promise<unknown>;
}) {
  const toast = useToast();
  return useMutation({
    mutationFn: options.mutationFn,
    onSuccess: async (_result: unknown, item: T) => {
      toast.success(options.deleted(item));
      await options.refresh();
    },
    onError: (error) => {
      toast.error(`Could not delete: ${errorMessage(error)}`);
    },
  });
}
