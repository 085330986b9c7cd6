// The node types' icons (the registry names them), drawn inline: no icon font or CDN.
const paths: Record<string, string> = {
  timer: "M12 8v4l3 2M9 2h6M12 22a8 8 0 1 0 0-16 8 8 0 0 0 0 16z",
  download: "M12 3v12m0 0-4-4m4 4 4-4M4 17v3h16v-3",
  upload: "M12 21V9m0 0-4 4m4-4 4 4M4 7V4h16v3",
  code: "m8 8-4 4 4 4m8-8 4 4-4 4M14 4l-4 16",
  list: "M8 6h12M8 12h12M8 18h12M4 6h.01M4 12h.01M4 18h.01",
  cpu: "M9 9h6v6H9zM4 9h2m-2 6h2m12-6h2m-2 6h2M9 4v2m6-2v2M9 18v2m6-2v2M6 6h12v12H6z",
};
const fallback = "M12 3l9 5v8l-9 5-9-5V8z";

export function NodeIcon({ name, size = 16 }: { name: string; size?: number }) {
  return (
    <svg
      width={size}
      height={size}
      viewBox="0 0 24 24"
      fill="none"
      stroke="currentColor"
      strokeWidth={2}
      strokeLinecap="round"
      strokeLinejoin="round"
      aria-hidden="true"
    >
      <path d={paths[name] ?? fallback} />
    </svg>
  );
}
