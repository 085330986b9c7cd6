import type { Metadata } from "next";
import type { ReactNode } from "react";
import "./globals.css";

export const metadata: Metadata = {
  title: "Weir",
  description: "Streaming pipelines built from small functions",
};

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body>
        <header className="topbar">
          <a href="/" className="brand">
            Weir
          </a>
        </header>
        <main>{children}</main>
      </body>
    </html>
  );
}
