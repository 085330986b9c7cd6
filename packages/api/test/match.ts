// Vitest's asymmetric matchers are typed `any`; these hand them on as `unknown`, which strict
// lint accepts inside object literals.
import { expect } from "vitest";

export const anyString = (): unknown => expect.any(String);
export const containing = (text: string): unknown => expect.stringContaining(text);
export const matching = (pattern: RegExp): unknown => expect.stringMatching(pattern);
export const arrayContaining = (items: unknown[]): unknown => expect.arrayContaining(items);
