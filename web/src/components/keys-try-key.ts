// The key this browser tab created last, kept in sessionStorage so the API reference can offer
// "try it with the key you just created" (the tab forgets it when it closes).
export const TRY_KEY_STORAGE = 'fieldline.portal.tryKey';

export interface TryKey {
  id: string;
  name: string;
  secret: string;
}

export function rememberTryKey(key: TryKey): void {
  try {
    sessionStorage.setItem(TRY_KEY_STORAGE, JSON.stringify({ id: key.id, name: key.name, secret: key.secret }));
  } catch {
    // Storage can be disabled (private modes); the secret is still on screen.
  }
}

export function readTryKey(): TryKey | null {
  try {
    const stored = JSON.parse(sessionStorage.getItem(TRY_KEY_STORAGE) ?? 'null') as TryKey | null;
    return stored && typeof stored.secret === 'string' ? stored : null;
  } catch {
    return null;
  }
}

/** After a rotation or revocation: keep the stored key in step, or drop it. */
export function updateTryKey(id: string, secret: string | null): void {
  const stored = readTryKey();
  if (stored?.id !== id) return;
  if (secret) rememberTryKey({ ...stored, secret });
  else {
    try {
      sessionStorage.removeItem(TRY_KEY_STORAGE);
    } catch {
      /* storage disabled: nothing stored */
    }
  }
}
