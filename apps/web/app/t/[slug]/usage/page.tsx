import { usageReport, type UsageReport } from '@gatehouse/contracts';
import type { Metadata } from 'next';
import { ApiError } from '@/components/api-error';
import { BarChart, type BarSeries } from '@/components/bar-chart';
import { NotAllowed } from '@/components/not-allowed';
import type { TenantPageProps } from '@/lib/paths';
import { apiGet } from '@/lib/server-api';
import { tenantContext } from '@/lib/session';
import { DataTable } from '@/components/listing';
import { Card } from '@/components/card';

export const metadata: Metadata = { title: 'Usage' };

const RESULT_COLORS: Record<string, string> = {
  succeeded: '#2f9e44',
  failed: '#e03131',
  rate_limited: '#f08c00',
  needs_connection: '#7048e8',
};
const OTHER_COLORS = ['#1c7ed6', '#0ca678', '#d6336c', '#868e96', '#5c940d'];
const LATENCY_COLORS = { p99: '#d6336c', p95: '#f08c00', p50: '#1c7ed6' };

/** Every UTC day of the window, so quiet days show as zero instead of disappearing. */
function daysOf(report: UsageReport): string[] {
  const days: string[] = [];
  for (let time = Date.parse(report.from); time < Date.parse(report.to); time += 24 * 3600 * 1000)
    days.push(new Date(time).toISOString().slice(0, 10));
  return days;
}

/** Calls per day and result, stacked: each series' bar height is the running total up to it. */
function callsByResult(report: UsageReport, days: string[]): BarSeries[] {
  const results = [...new Set(report.daily.map((row) => row.result))].sort();
  const values = results.map((result) =>
    days.map((day) =>
      report.daily.filter((row) => row.day === day && row.result === result).reduce((sum, row) => sum + row.calls, 0),
    ),
  );
  const series = results.map((result, index) => ({
    label: result,
    color: RESULT_COLORS[result] ?? OTHER_COLORS[index % OTHER_COLORS.length]!,
    values: values[index]!,
    heights: days.map((_, day) => values.slice(index).reduce((sum, row) => sum + row[day]!, 0)),
  }));
  return series;
}

const ms = (value: number) => `${Math.round(value)} ms`;

export default async function UsagePage({ params }: TenantPageProps) {
  const { slug } = await params;
  const { isAdmin } = await tenantContext(slug, `/t/${slug}/usage`);
  if (!isAdmin) return <NotAllowed slug={slug} what="Usage" />;
  const report = await apiGet(`/api/v1/tenants/${slug}/usage`, usageReport);
  if (!report.ok) {
    return (
      <section className="card">
        <h1>Usage</h1>
        <ApiError message={report.message} />
      </section>
    );
  }
  const data = report.data;
  const days = daysOf(data);
  const total = data.daily.reduce((sum, row) => sum + row.calls, 0);
  const limited = data.rateLimited.reduce((sum, row) => sum + row.hits, 0);
  const byTool = [...new Set(data.daily.map((row) => row.tool))].sort().map((tool) => {
    const rows = data.daily.filter((row) => row.tool === tool);
    const count = (result?: string) =>
      rows.filter((row) => result === undefined || row.result === result).reduce((sum, row) => sum + row.calls, 0);
    return { tool, calls: count(), succeeded: count('succeeded'), rateLimited: count('rate_limited') };
  });
  return (
    <>
      <Card id="usage-title" level={1} title="Usage">
        <p className="muted">
          Tool calls from {data.from.slice(0, 10)} to {new Date(Date.parse(data.to) - 1).toISOString().slice(0, 10)}{' '}
          (UTC), from the audit log: <strong data-testid="usage-total">{total}</strong> calls,{' '}
          <strong>{limited}</strong> refused by rate limits.
        </p>
      </Card>
      <Card id="daily-title" title="Calls per day by outcome">
        {total === 0 ? (
          <p className="empty">No tool calls in this period.</p>
        ) : (
          <figure>
            <BarChart
              labels={days.map((day) => day.slice(5))}
              series={callsByResult(data, days)}
              unit="calls"
              testId="usage-chart"
            />
            <figcaption className="hint">Stacked by result; the table below has the numbers per tool.</figcaption>
          </figure>
        )}
        {byTool.length > 0 ? (
          <DataTable
            columns={['Tool', 'Calls', 'Succeeded', 'Rate-limited']}
            testId="usage-by-tool"
            caption="Calls per tool"
          >
            {byTool.map((row) => (
              <tr key={row.tool}>
                <td>
                  <code>{row.tool}</code>
                </td>
                <td>{row.calls}</td>
                <td>{row.succeeded}</td>
                <td>{row.rateLimited}</td>
              </tr>
            ))}
          </DataTable>
        ) : null}
      </Card>
      <Card id="latency-title" title="Latency percentiles by tool">
        {data.latency.length === 0 ? (
          <p className="empty">No latency measured in this period.</p>
        ) : (
          <>
            <figure>
              <BarChart
                labels={data.latency.map((row) => row.tool)}
                unit="ms"
                testId="latency-chart"
                series={[
                  { label: 'p99', color: LATENCY_COLORS.p99, values: data.latency.map((row) => Math.round(row.p99)) },
                  { label: 'p95', color: LATENCY_COLORS.p95, values: data.latency.map((row) => Math.round(row.p95)) },
                  { label: 'p50', color: LATENCY_COLORS.p50, values: data.latency.map((row) => Math.round(row.p50)) },
                ]}
              />
              <figcaption className="hint">p50, p95 and p99 of each tool’s call latency.</figcaption>
            </figure>
            <DataTable columns={['Tool', 'Calls', 'p50', 'p95', 'p99']} caption="Latency percentiles per tool">
              {data.latency.map((row) => (
                <tr key={row.tool}>
                  <td>
                    <code>{row.tool}</code>
                  </td>
                  <td>{row.calls}</td>
                  <td>{ms(row.p50)}</td>
                  <td>{ms(row.p95)}</td>
                  <td>{ms(row.p99)}</td>
                </tr>
              ))}
            </DataTable>
          </>
        )}
      </Card>
      <Card id="limits-title" title="Rate-limit hits">
        {data.rateLimited.length === 0 ? (
          <p className="empty">No call was refused by a rate limit in this period.</p>
        ) : (
          <DataTable columns={['Day', 'Limit', 'Refused calls']}>
            {data.rateLimited.map((row) => (
              <tr key={`${row.day}-${row.limit}`}>
                <td>{row.day}</td>
                <td>per {row.limit}</td>
                <td>{row.hits}</td>
              </tr>
            ))}
          </DataTable>
        )}
      </Card>
    </>
  );
}
