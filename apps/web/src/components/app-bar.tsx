"use client";
// The bar on top of every page but the editor: the brand and the places a person manages.
import Link from "next/link";
import { usePathname } from "next/navigation";
import { AccountMenu } from "~/auth/account-menu";

const PLACES = [
  { href: "/", label: "Flows", id: "flows" },
  { href: "/secrets", label: "Secrets", id: "secrets" },
  { href: "/connections", label: "Connections", id: "connections" },
  { href: "/components", label: "Components", id: "components" },
  { href: "/engines", label: "Engines", id: "engines" },
] as const;

export function AppBar() {
  const path = usePathname();
  return (
    <header className="app-bar">
      <Link href="/" className="brand">
        Weir
      </Link>
      <nav aria-label="Main" className="app-nav">
        {PLACES.map((place) => {
          const current = place.href === "/" ? path === "/" : path.startsWith(place.href);
          return (
            <Link
              key={place.id}
              href={place.href}
              className="app-nav-link"
              data-testid={`nav-${place.id}`}
              aria-current={current ? "page" : undefined}
            >
              {place.label}
            </Link>
          );
        })}
      </nav>
      <AccountMenu />
    </header>
  );
}
