"use client";
// New from template: the flows in examples/, each made into a new flow of its own (version 1)
// and opened in the editor, where it can be changed before it is deployed.
import { useMutation } from "@tanstack/react-query";
import { useToast } from "~/components/toasts";
import { api, errorMessage } from "~/lib/trpc";
import type { FlowTemplate } from "~/templates/catalog";
import { TEMPLATES } from "~/templates/catalog";
import { useSession } from "~/auth/session";

export function TemplateGallery({
  onCreated,
  onClose,
}: {
  onCreated: (id: string) => void;
  onClose: () => void;
}) {
  const blocked = useSession().whyNot("editor", "Creating a flow");
  const toast = useToast();
  const create = useMutation({
    mutationFn: (template: FlowTemplate) => api.flow.create.mutate(template.spec),
    onSuccess: (flow) => {
      onCreated(flow.id);
    },
    onError: (error) => {
      toast.error(`Could not create the flow: ${errorMessage(error)}`);
    },
  });
  return (
    <section
      className="template-gallery"
      data-testid="template-gallery"
      aria-labelledby="template-gallery-title"
    >
      <div className="template-gallery-head">
        <h2 id="template-gallery-title">New from template</h2>
        <button
          type="button"
          className="btn btn-small btn-ghost"
          data-testid="template-gallery-close"
          onClick={onClose}
        >
          Close
        </button>
      </div>
      <ul className="template-cards">
        {TEMPLATES.map((template) => (
          <li key={template.id} className="template-card" data-testid={`template-${template.id}`}>
            <h3>{template.title}</h3>
            <p className="muted small">{template.spec.description}</p>
            <p className="small">
              {(template.spec.nodes ?? []).map((n) => n.type).join(" → ")}
              {template.needs ? <span className="muted"> · needs {template.needs}</span> : null}
            </p>
            <button
              type="button"
              className="btn btn-small btn-primary"
              data-testid={`template-use-${template.id}`}
              title={blocked}
              disabled={create.isPending || blocked !== undefined}
              onClick={() => {
                create.mutate(template);
              }}
            >
              Use this template
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
}
