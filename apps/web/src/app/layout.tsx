import type { Metadata } from "next";
import type { ReactNode } from "react";
import "@xyflow/react/dist/style.css";
import "./globals.css";
import "./editor.css";
import "./manage.css";
import "./auth.css";
import { Providers } from "./providers";

export const metadata: Metadata = {
  title: "Weir",
  description: "Streaming pipelines built from small functions",
};

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body>
        <Providers>{children}</Providers>
      </body>
    </html>
  );
}
