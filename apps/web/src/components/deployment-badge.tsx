// A deployment's state as a small coloured pill: `running`, `pending → running`, `not deployed`.
interface DeploymentLike {
  desiredState: string;
  actualState: string;
  version?: number;
  error?: string | null;
}

export function DeploymentBadge({
  deployment,
  testId,
}: {
  deployment: DeploymentLike | null;
  testId: string;
}) {
  if (!deployment)
    return (
      <span className="state state-none" data-testid={testId} data-state="none">
        not deployed
      </span>
    );
  const { actualState, desiredState } = deployment;
  const settling = desiredState !== actualState && !(desiredState === "stopped" && actualState === "failed");
  const version = deployment.version === undefined ? "" : ` v${deployment.version}`;
  return (
    <span
      className={`state state-${actualState}`}
      data-testid={testId}
      data-state={actualState}
      title={deployment.error ?? `desired: ${desiredState}`}
    >
      {actualState}
      {settling ? ` → ${desiredState}` : ""}
      {actualState === "running" || settling ? version : ""}
    </span>
  );
}
