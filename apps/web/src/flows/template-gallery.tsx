"use client";
// New from template: the flows in examples/. Each opens in the editor as a new flow that is not
// saved yet (/flows/new?template=<id>): it can be changed first, and nothing is stored until Save.
import Link from "next/link";
import { useSession } from "~/auth/session";
import { TEMPLATES } from "~/templates/catalog";

export function TemplateGallery({ onClose }: { onClose: () => void }) {
  const blocked = useSession().whyNot("editor", "Creating a flow");
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
            {template.component ? (
              <p
                className="small"
                style={{ overflowWrap: "anywhere" }}
                data-testid={`template-component-${template.id}`}
              >
                Needs its component: build it with{" "}
                <code>node examples/functions/{template.component}/build.mjs</code>, upload it on the{" "}
                <Link href="/components" className="flow-link">
                  Components page
                </Link>{" "}
                and pick it in the function node&apos;s Settings. Until then Save says what is missing.
              </p>
            ) : null}
            {blocked !== undefined ? (
              <button
                type="button"
                className="btn btn-small btn-primary"
                data-testid={`template-use-${template.id}`}
                title={blocked}
                disabled
              >
                Use this template
              </button>
            ) : (
              <Link
                href={`/flows/new?template=${template.id}`}
                className="btn btn-small btn-primary"
                data-testid={`template-use-${template.id}`}
                title="Opens it in the editor as a new flow; nothing is saved until you press Save"
              >
                Use this template
              </Link>
            )}
          </li>
        ))}
      </ul>
    </section>
  );
}
