/** A failed api read, in the words `describeProblem` chose; the rest of the page still renders. */
export function ApiError({ message }: { message: string }) {
  return (
    <p role="alert" className="error">
      {message}
    </p>
  );
}
