'use client';

import { useState } from 'react';

/** Copies `text` to the clipboard and says so (politely, for screen readers too). */
export function CopyButton({ text, label = 'Copy' }: { text: string; label?: string }) {
  const [copied, setCopied] = useState<'idle' | 'done' | 'failed'>('idle');
  return (
    <span className="actions">
      <button
        type="button"
        className="button ghost small"
        onClick={() =>
          void navigator.clipboard.writeText(text).then(
            () => setCopied('done'),
            () => setCopied('failed'),
          )
        }
      >
        {label}
      </button>
      <span aria-live="polite" className="muted">
        {copied === 'done' ? 'Copied' : copied === 'failed' ? 'Select the text and copy it' : ''}
      </span>
    </span>
  );
}
