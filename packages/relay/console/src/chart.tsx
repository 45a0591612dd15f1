import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

export interface MinutePoint {
  minute: number;
  delivered: number;
  failed: number;
  avgLatencyMs: number | null;
}

/** Deliveries per minute and their latency (uPlot). */
export function DeliveryChart({ points }: { points: MinutePoint[] }) {
  const host = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot>();
  useEffect(() => {
    if (!host.current) return;
    // Every minute of the last hour, zero where nothing happened.
    const now = Math.floor(Date.now() / 60_000) * 60_000;
    const byMinute = new Map(points.map((p) => [p.minute, p]));
    const minutes = Array.from({ length: 60 }, (_, i) => now - (59 - i) * 60_000);
    const data: uPlot.AlignedData = [
      minutes.map((m) => m / 1000),
      minutes.map((m) => byMinute.get(m)?.delivered ?? 0),
      minutes.map((m) => byMinute.get(m)?.failed ?? 0),
      minutes.map((m) => {
        const latency = byMinute.get(m)?.avgLatencyMs;
        return latency === undefined || latency === null ? null : Math.round(latency);
      }),
    ];
    const width = Math.max(240, host.current.clientWidth);
    if (!plot.current) {
      plot.current = new uPlot(
        {
          width,
          height: 180,
          series: [
            {},
            { label: 'Delivered / min', stroke: '#16a34a', width: 2 },
            { label: 'Failed / min', stroke: '#dc2626', width: 2 },
            { label: 'Latency ms', stroke: '#2563eb', scale: 'ms', dash: [4, 4] },
          ],
          axes: [{}, { label: 'deliveries' }, { side: 1, scale: 'ms', label: 'ms', grid: { show: false } }],
        },
        data,
        host.current,
      );
    } else {
      plot.current.setSize({ width, height: 180 });
      plot.current.setData(data);
    }
  }, [points]);
  useEffect(() => {
    // Follow the container: the page is used on laptops and phones alike.
    const observer = new ResizeObserver(() => {
      if (host.current && plot.current) plot.current.setSize({ width: Math.max(240, host.current.clientWidth), height: 180 });
    });
    if (host.current) observer.observe(host.current);
    return () => {
      observer.disconnect();
      plot.current?.destroy();
    };
  }, []);
  return <div ref={host} class="chart" role="img" aria-label="Deliveries per minute and average latency over the last hour" />;
}
