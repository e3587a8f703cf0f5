// A destructive action asks first, in a modal dialog (native <dialog>: focus moves into it,
// Escape cancels, focus returns to the button).
import { useRef, useState, type ReactNode } from 'react';
import { ProblemNotice } from './problem-notice.tsx';

interface ConfirmButtonProps {
  children: ReactNode;
  /** The question, e.g. "Revoke the key Production?". */
  title: string;
  /** What happens, in a sentence. */
  description?: ReactNode;
  /** The confirming button's words, e.g. "Revoke key". */
  confirmLabel: string;
  onConfirm(): Promise<unknown>;
  className?: string;
  disabled?: boolean;
}

export function ConfirmButton({
  children,
  title,
  description,
  confirmLabel,
  onConfirm,
  className = 'button-danger',
  disabled,
}: ConfirmButtonProps) {
  const dialog = useRef<HTMLDialogElement>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const confirm = async () => {
    setBusy(true);
    setError(null);
    try {
      await onConfirm();
      dialog.current?.close();
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  };
  return (
    <>
      <button
        type="button"
        className={className}
        disabled={disabled}
        onClick={() => {
          setError(null);
          dialog.current?.showModal();
        }}
      >
        {children}
      </button>
      <dialog ref={dialog} className="dialog" aria-labelledby={undefined} aria-label={title}>
        <h2>{title}</h2>
        {description ? <p>{description}</p> : null}
        <ProblemNotice error={error} />
        <div className="actions">
          <button type="button" onClick={() => dialog.current?.close()} autoFocus>
            Cancel
          </button>
          <button type="button" className="button-danger" disabled={busy} onClick={confirm}>
            {busy ? 'Working…' : confirmLabel}
          </button>
        </div>
      </dialog>
    </>
  );
}
