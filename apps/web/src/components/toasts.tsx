"use client";
// Notices after actions. Errors stay until closed (nothing fails silently); successes fade. A
// notice may name its topic ("save"): a later notice on the same topic replaces it, so an old
// "Not saved" does not linger beside "Saved as v3".
import type { ReactNode } from "react";
import { createContext, useCallback, useContext, useMemo, useRef, useState } from "react";

type Tone = "success" | "error";
interface Toast {
  id: number;
  tone: Tone;
  message: string;
  topic: string | undefined;
}

interface ToastApi {
  success: (message: string, topic?: string) => void;
  error: (message: string, topic?: string) => void;
}

const ToastContext = createContext<ToastApi | null>(null);

export function useToast(): ToastApi {
  const api = useContext(ToastContext);
  if (!api) throw new Error("useToast needs a <ToastProvider> above it");
  return api;
}

export function ToastProvider({ children }: { children: ReactNode }) {
  const [toasts, setToasts] = useState<Toast[]>([]);
  const nextId = useRef(1);
  const close = useCallback((id: number) => {
    setToasts((all) => all.filter((t) => t.id !== id));
  }, []);
  const show = useCallback(
    (tone: Tone, message: string, topic: string | undefined) => {
      const id = nextId.current++;
      setToasts((all) => [
        ...all.filter((t) => topic === undefined || t.topic !== topic).slice(-4),
        { id, tone, message, topic },
      ]);
      if (tone === "success")
        setTimeout(() => {
          close(id);
        }, 4000);
    },
    [close],
  );
  const api = useMemo<ToastApi>(
    () => ({
      success: (m, topic) => {
        show("success", m, topic);
      },
      error: (m, topic) => {
        show("error", m, topic);
      },
    }),
    [show],
  );
  return (
    <ToastContext.Provider value={api}>
      {children}
      <div className="toasts" aria-live="polite">
        {toasts.map((toast) => (
          <div
            key={toast.id}
            className={`toast toast-${toast.tone}`}
            data-testid={`toast-${toast.tone}`}
            role={toast.tone === "error" ? "alert" : "status"}
          >
            <span className="toast-message">{toast.message}</span>
            <button
              type="button"
              className="toast-close"
              data-testid="toast-close"
              aria-label="Close"
              onClick={() => {
                close(toast.id);
              }}
            >
              ×
            </button>
          </div>
        ))}
      </div>
    </ToastContext.Provider>
  );
}
