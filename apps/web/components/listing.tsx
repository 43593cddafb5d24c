import type { ReactNode } from 'react';
import type { ApiResult } from '@/lib/problem';
import { ApiError } from './api-error';

/**
 * One api read shown as a list: its error when the read failed, `empty` when there is nothing, else `children`
 * renders the rows.
 */
export function Listing<T, Row>({
  result,
  rows,
  empty,
  children,
}: {
  result: ApiResult<T>;
  rows: (data: T) => Row[];
  empty: ReactNode;
  children: (rows: Row[]) => ReactNode;
}) {
  if (!result.ok) return <ApiError message={result.message} />;
  const list = rows(result.data);
  return list.length === 0 ? <p className="empty">{empty}</p> : children(list);
}

/** A scrollable table with one column header per entry of `columns`; `children` are the body's rows. */
export function DataTable({
  columns,
  caption,
  testId,
  children,
}: {
  columns: string[];
  /** For screen readers only, where the section's heading does not already say what the table holds. */
  caption?: string;
  testId?: string;
  children: ReactNode;
}) {
  return (
    <div className="table-wrap">
      <table data-testid={testId}>
        {caption ? <caption className="visually-hidden">{caption}</caption> : null}
        <thead>
          <tr>
            {columns.map((column) => (
              <th scope="col" key={column}>
                {column}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>{children}</tbody>
      </table>
    </div>
  );
}
