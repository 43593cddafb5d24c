import { GatehouseMetrics } from './index.js';

describe('GatehouseMetrics', () => {
  it('answers a scrape while the queue depths cannot be read (Redis down), without them', async () => {
    const metrics = new GatehouseMetrics('test', () => new Promise(() => {}));
    metrics.toolCalls.inc({ tool: 'demo.list_notes', result: 'succeeded' });
    const started = Date.now();
    const scraped = await metrics.scrape('t0ken', 'Bearer t0ken');
    expect(Date.now() - started).toBeLessThan(3_000);
    expect(scraped.status).toBe(200);
    expect(scraped.body).toContain(
      'gatehouse_tool_calls_total{tool="demo.list_notes",result="succeeded",service="test"} 1',
    );
    expect(scraped.body).not.toMatch(/^gatehouse_queue_jobs\{/m);
  });

  it('reports the queue depths it can read', async () => {
    const metrics = new GatehouseMetrics('test', async () => ({ 'gatehouse-tools': { waiting: 3 } }));
    const scraped = await metrics.scrape('t0ken', 'Bearer t0ken');
    expect(scraped.body).toContain('gatehouse_queue_jobs{queue="gatehouse-tools",state="waiting",service="test"} 3');
  });
});
