"use client";
// Loaded on first use: only registry-encoded Kafka nodes show it (the editor page's JS budget).
import dynamic from "next/dynamic";
import type { RegistryTypeProps } from "./registry-type-impl";

const RegistryTypeImpl = dynamic(() => import("./registry-type-impl"), {
  ssr: false,
  loading: () => <p className="muted small">Loading…</p>,
});

export function RegistryType(props: RegistryTypeProps) {
  return <RegistryTypeImpl {...props} />;
}
