import type { ReactNode } from 'react';

/** A titled section of a page; the heading names the section for screen readers. */
export function Card({
  id,
  title,
  level = 2,
  intro,
  children,
}: {
  /** The heading's id, which labels the section. */
  id: string;
  title: ReactNode;
  level?: 1 | 2;
  intro?: ReactNode;
  children?: ReactNode;
}) {
  const Heading = level === 1 ? 'h1' : 'h2';
  return (
    <section className="card" aria-labelledby={id}>
      <Heading id={id}>{title}</Heading>
      {intro ? <p className="muted">{intro}</p> : null}
      {children}
    </section>
  );
}
