// Code samples in tabs (curl, TypeScript SDK, Python SDK), each with a copy button. Arrow keys
// move between tabs, as in any tab list.
import { useId, useRef, useState, type KeyboardEvent } from 'react';

export interface CodeTab {
  label: string;
  /** null: this language has no sample for the operation; `missing` says why. */
  code: string | null;
  missing?: string;
}

export function CodeTabs({ tabs, label }: { tabs: CodeTab[]; label: string }) {
  const id = useId();
  const [selected, setSelected] = useState(0);
  const [copied, setCopied] = useState<string | null>(null);
  const buttons = useRef<(HTMLButtonElement | null)[]>([]);
  const current = tabs[Math.min(selected, tabs.length - 1)]!;
  const select = (index: number) => {
    setSelected(index);
    setCopied(null);
  };
  const onKeyDown = (event: KeyboardEvent) => {
    const step = event.key === 'ArrowRight' ? 1 : event.key === 'ArrowLeft' ? -1 : 0;
    if (!step) return;
    const next = (selected + step + tabs.length) % tabs.length;
    select(next);
    buttons.current[next]?.focus();
  };
  const copy = async () => {
    if (current.code === null) return;
    await navigator.clipboard.writeText(current.code).then(
      () => setCopied(current.label),
      () => setCopied(null),
    );
  };
  return (
    <div className="code-tabs">
      <div role="tablist" aria-label={label} className="code-tab-list" onKeyDown={onKeyDown}>
        {tabs.map((tab, index) => (
          <button
            key={tab.label}
            type="button"
            role="tab"
            id={`${id}-tab-${index}`}
            aria-controls={`${id}-panel`}
            aria-selected={index === selected}
            tabIndex={index === selected ? 0 : -1}
            ref={(element) => {
              buttons.current[index] = element;
            }}
            onClick={() => select(index)}
          >
            {tab.label}
          </button>
        ))}
      </div>
      <div role="tabpanel" id={`${id}-panel`} aria-labelledby={`${id}-tab-${selected}`} className="code-tab-panel">
        {current.code === null ? (
          <p className="empty">{current.missing}</p>
        ) : (
          <>
            <div className="code-tab-actions">
              <button type="button" onClick={copy} aria-label={`Copy the ${current.label} sample`}>
                {copied === current.label ? 'Copied' : 'Copy'}
              </button>
            </div>
            <pre tabIndex={0}>
              <code>{current.code}</code>
            </pre>
          </>
        )}
      </div>
    </div>
  );
}
