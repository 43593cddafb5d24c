/** The api's answer when an action failed, announced to screen readers. */
export function FormError({ error, id, inline = false }: { error: string | null; id?: string; inline?: boolean }) {
  if (!error) return null;
  const Tag = inline ? 'span' : 'p';
  return (
    <Tag role="alert" className="error" id={id}>
      {error}
    </Tag>
  );
}
