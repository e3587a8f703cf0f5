// A write started by a person (a form submit, a button): busy while it runs, its error kept
// for display. A 401 means the session ended: the portal returns to sign-in.
import { useCallback, useState, type FormEvent } from 'react';
import { isSignedOut } from './api.ts';
import { useSession } from './session.tsx';

export function useAction<A extends unknown[], R>(action: (...args: A) => Promise<R>) {
  const { expired } = useSession();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const run = useCallback(
    async (...args: A): Promise<R | undefined> => {
      setBusy(true);
      setError(null);
      try {
        return await action(...args);
      } catch (failure) {
        if (isSignedOut(failure)) expired();
        setError(failure);
        return undefined;
      } finally {
        setBusy(false);
      }
    },
    [action, expired],
  );
  return { run, busy, error, clearError: () => setError(null) };
}

/** useAction for a form: `onSubmit` reads the form's fields and runs `action` with them. */
export function useFormAction(action: (form: FormData) => Promise<unknown>) {
  const { run, busy, error } = useAction(action);
  const onSubmit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    void run(new FormData(event.currentTarget));
  };
  return { onSubmit, busy, error };
}

/**
 * A form that saves an object: `onSubmit` runs `save` and hands the answer to `onSaved`;
 * `saved` stays true (a "Saved" badge) until the next `edited()`.
 */
export function useSaveForm<R>(save: () => Promise<R>, onSaved: (saved: R) => void = () => {}) {
  const { run, busy, error } = useAction(save);
  const [saved, setSaved] = useState(false);
  const onSubmit = async (event: FormEvent) => {
    event.preventDefault();
    setSaved(false);
    const result = await run();
    if (result) {
      setSaved(true);
      onSaved(result);
    }
  };
  return { onSubmit, saved, edited: () => setSaved(false), busy, error };
}
