"use client";
// Node types grouped as sources, functions and sinks, from the API's registry. Drag one onto the
// canvas, or double-click (or press Enter on) it to add it in the middle of the view.
import type { NodeKind } from "@weir/domain";
import type { NodeTypeInfo } from "../graph";
import { PALETTE_MIME } from "./canvas";
import { NodeIcon } from "./node-icon";

const GROUPS: { kind: NodeKind; title: string }[] = [
  { kind: "source", title: "Sources" },
  { kind: "function", title: "Functions" },
  { kind: "sink", title: "Sinks" },
];

interface Props {
  types: NodeTypeInfo[];
  onAdd: (info: NodeTypeInfo) => void;
}

export function Palette({ types, onAdd }: Props) {
  return (
    <nav className="palette" data-testid="palette" aria-label="Node types">
      {GROUPS.map((group) => {
        const items = types.filter((t) => t.kind === group.kind);
        return (
          <section key={group.kind} className="palette-group" data-testid={`palette-group-${group.kind}`}>
            <h3 className="palette-title">{group.title}</h3>
            {items.length === 0 ? <p className="muted small">None installed</p> : null}
            {items.map((info) => (
              <div
                key={info.type}
                className={`palette-item palette-${info.kind}`}
                data-testid={`palette-item-${info.type}`}
                draggable
                tabIndex={0}
                role="button"
                title={`${info.description}\nDrag onto the canvas, or double-click to add.`}
                onDragStart={(event) => {
                  event.dataTransfer.setData(PALETTE_MIME, info.type);
                  event.dataTransfer.effectAllowed = "copy";
                }}
                onDoubleClick={() => {
                  onAdd(info);
                }}
                onKeyDown={(event) => {
                  if (event.key === "Enter") onAdd(info);
                }}
              >
                <span className="palette-icon">
                  <NodeIcon name={info.icon} />
                </span>
                <span className="palette-text">
                  <span className="palette-name">{info.name}</span>
                  <span className="palette-desc">{info.description}</span>
                </span>
              </div>
            ))}
          </section>
        );
      })}
    </nav>
  );
}
