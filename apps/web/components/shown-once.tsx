import type { ReactNode } from 'react';
import { CopyButton } from './copy-button';

/** A secret the api returns only once (a new API key, an invitation link): what it is, the value, a copy button. */
export function ShownOnce({
  value,
  copyLabel,
  testId,
  children,
}: {
  value: string;
  copyLabel: string;
  testId: string;
  /** Says what the value is and that it is shown only now. */
  children: ReactNode;
}) {
  return (
    <div className="secret" data-testid={testId}>
      <p>{children}</p>
      <code>{value}</code>
      <CopyButton text={value} label={copyLabel} />
    </div>
  );
}
