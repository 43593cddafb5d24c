/** The api's answer when an action failed, announced to screen readers. */
export function FormError({ error, id }: { error: string | null; id?: string }) {
  if (!error) return null;
  return (
    <p role="alert" className="error" id={id}>
      {error}
    </p>
  );
}
