"use client";
// The form controls the management pages repeat: a labelled text input, a labelled choice and a
// form's error line. The label wraps its control, so a click on it focuses the control and
// screen readers name the control by it.
import type { InputHTMLAttributes, ReactNode } from "react";
import { MIN_PASSWORD_LENGTH } from "@weir/auth/passwords";

type InputProps = Omit<
  InputHTMLAttributes<HTMLInputElement>,
  "value" | "onChange" | "className" | "children"
>;

interface TextFieldProps extends InputProps {
  /** The label's text. */
  children: ReactNode;
  value: string;
  onValue: (value: string) => void;
  /** A line under the control saying what it takes; read out after the label. */
  help?: string;
}

export function TextField({ children, value, onValue, help, ...input }: TextFieldProps) {
  const helpId = help !== undefined && input.id !== undefined ? `${input.id}-help` : undefined;
  return (
    <label className="field">
      <span className="field-label">{children}</span>
      <input
        className="input"
        aria-describedby={helpId}
        {...input}
        value={value}
        onChange={(e) => {
          onValue(e.target.value);
        }}
      />
      {help !== undefined ? (
        <span className="field-help" id={helpId}>
          {help}
        </span>
      ) : null}
    </label>
  );
}

/**
 * A password being chosen: the server's length rule is checked before sending, and password
 * managers are told to offer a new one. The label says the rule.
 */
export function NewPasswordField(
  props: Omit<TextFieldProps, "type" | "autoComplete" | "minLength" | "required">,
) {
  const { children, ...rest } = props;
  return (
    <TextField type="password" autoComplete="new-password" required minLength={MIN_PASSWORD_LENGTH} {...rest}>
      {children} (at least {MIN_PASSWORD_LENGTH} characters)
    </TextField>
  );
}

interface SelectFieldProps<T extends string> {
  /** The label's text. */
  children: ReactNode;
  value: T;
  options: readonly T[];
  /** What each option shows, where it is not the value itself. */
  labels?: Partial<Readonly<Record<T, string>>>;
  onValue: (value: T) => void;
  id?: string;
  disabled?: boolean;
  "data-testid"?: string;
}

export function SelectField<T extends string>({
  children,
  value,
  options,
  labels,
  onValue,
  id,
  disabled,
  ...rest
}: SelectFieldProps<T>) {
  return (
    <label className="field">
      <span className="field-label">{children}</span>
      <select
        className="input"
        id={id}
        disabled={disabled}
        data-testid={rest["data-testid"]}
        value={value}
        onChange={(e) => {
          // Only the options given are rendered, so the value is one of them.
          onValue(e.target.value as T);
        }}
      >
        {options.map((option) => (
          <option key={option} value={option}>
            {labels?.[option] ?? option}
          </option>
        ))}
      </select>
    </label>
  );
}

/** A form's error, announced to screen readers when it appears. */
export function FormError({ message, testId }: { message: string | null | undefined; testId?: string }) {
  if (!message) return null;
  return (
    <p role="alert" className="field-error" data-testid={testId}>
      {message}
    </p>
  );
}
