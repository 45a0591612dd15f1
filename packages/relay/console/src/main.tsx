import { render } from 'preact';
import { useCallback, useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { api, openStream, token, Unauthorized } from './api';
import { DeliveryChart, type MinutePoint } from './chart';
import type { AttemptRow, EventSummary, LiveEvent } from '../../src/api-types';
import './style.css';

// Rows built from the live stream carry no occurred_at; the list does not show it.
type EventRow = Omit<EventSummary, 'occurred_at'>;

interface Delivery {
  id: number;
  route: string;
  status: string;
  attempts: number;
  next_attempt_at: number;
  last_error: string | null;
  attemptsLog: AttemptRow[];
}
interface Detail {
  id: number;
  source: string;
  event_id: string;
  type: string;
  provider: string;
  received_at: number;
  headers: Record<string, string>;
  payload: unknown;
  event: unknown;
  deliveries: Delivery[];
  previews: { route: string; kind: string; message: unknown; error?: string }[];
}
interface Stats {
  queue: { pending: number; inFlight: number; failed: number };
  totals: { events: number; delivered: number; failed: number; pending: number };
  perMinute: MinutePoint[];
}
interface Sources {
  data: { id: string; name: string; events: string[] }[];
  routes: { id: string; destination: string }[];
}

const time = (ms: number) => new Date(ms).toLocaleTimeString();
const statusOf = (r: EventRow) => (r.failed > 0 ? 'failed' : r.pending > 0 ? 'pending' : r.delivered > 0 ? 'delivered' : 'no route');

function Login({ onLogin, error }: { onLogin: (t: string) => void; error?: string }) {
  const [value, setValue] = useState('');
  return (
    <main class="login">
      <h1>Hookbridge console</h1>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          onLogin(value);
        }}
      >
        <label for="token">Admin token</label>
        <input
          id="token"
          type="password"
          autocomplete="current-password"
          value={value}
          onInput={(e) => setValue(e.currentTarget.value)}
          required
        />
        <button type="submit">Sign in</button>
        {error && (
          <p class="error" role="alert">
            {error}
          </p>
        )}
      </form>
    </main>
  );
}

function Json({ value }: { value: unknown }) {
  return <pre class="json">{JSON.stringify(value, null, 2)}</pre>;
}

function EventDetail({ id, onClose, onChanged }: { id: number; onClose: () => void; onChanged: number }) {
  const [detail, setDetail] = useState<Detail>();
  const [message, setMessage] = useState('');
  const section = useRef<HTMLElement>(null);
  useEffect(() => {
    api<Detail>(`/admin/events/${id}`).then(setDetail, (e: Error) => setMessage(e.message));
  }, [id, onChanged]);
  // On a narrow screen the detail sits below the list: bring it into view when an event is opened.
  const shown = detail?.id;
  useEffect(() => {
    if (shown !== undefined && window.matchMedia('(max-width: 999px)').matches) section.current?.scrollIntoView({ block: 'start' });
  }, [shown]);
  if (!detail) return <section class="detail">{message || 'Loading…'}</section>;
  const replay = async () => {
    const r = await api<{ deliveries: number }>('/admin/replay', { method: 'POST', body: JSON.stringify({ event: String(detail.id) }) });
    setMessage(`Queued ${r.deliveries} deliveries again`);
  };
  return (
    <section class="detail" ref={section} aria-label={`Event ${detail.event_id}`}>
      <header>
        <h2>
          {detail.type} <small>{detail.event_id}</small>
        </h2>
        <div>
          <button onClick={replay}>Replay event</button>{' '}
          <button onClick={onClose} aria-label="Close details">
            ✕
          </button>
        </div>
      </header>
      {message && <p role="status">{message}</p>}
      <p>
        {detail.source} ({detail.provider}) · received {new Date(detail.received_at).toLocaleString()}
      </p>
      <h3>Deliveries</h3>
      {detail.deliveries.map((d) => (
        <div class={`delivery ${d.status}`} data-route={d.route}>
          <strong>{d.route}</strong> <span class={`chip ${d.status}`}>{d.status}</span> {d.attempts} attempt{d.attempts === 1 ? '' : 's'}
          {d.status === 'pending' && d.attempts > 0 && <span> · next try {time(d.next_attempt_at)}</span>}
          <div class="attempts">
            <table>
              <thead>
                <tr>
                  <th>#</th>
                  <th>Started</th>
                  <th>Status</th>
                  <th>Duration</th>
                  <th>Error</th>
                  <th>Retry at</th>
                </tr>
              </thead>
              <tbody>
                {d.attemptsLog.map((a) => (
                  <tr>
                    <td>{a.attempt}</td>
                    <td>{time(a.started_at)}</td>
                    <td>{a.status ?? '—'}</td>
                    <td>{a.duration_ms} ms</td>
                    <td>{a.error ?? ''}</td>
                    <td>{a.retry_at ? time(a.retry_at) : ''}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </div>
      ))}
      <h3>Message previews</h3>
      {detail.previews.map((p) => (
        <details>
          <summary>
            {p.route} → {p.kind}
          </summary>
          {p.error ? <p class="error">{p.error}</p> : <Json value={p.message} />}
        </details>
      ))}
      <h3>Headers (signatures redacted)</h3>
      <Json value={detail.headers} />
      <h3>Payload</h3>
      <Json value={detail.payload} />
      <h3>Canonical event</h3>
      <Json value={detail.event} />
    </section>
  );
}

function Console({ onLogout }: { onLogout: () => void }) {
  const [rows, setRows] = useState<EventRow[]>([]);
  const [stats, setStats] = useState<Stats>();
  const [sources, setSources] = useState<Sources>();
  const [live, setLive] = useState<'live' | 'reconnecting'>('reconnecting');
  const [selected, setSelected] = useState<number>();
  const [changed, setChanged] = useState(0);
  const [filters, setFilters] = useState({ source: '', type: '', status: '' });
  const [sample, setSample] = useState({ source: '', type: '' });
  const [notice, setNotice] = useState('');
  const refreshTimer = useRef<number>();

  const refresh = useCallback(async () => {
    const [events, s] = await Promise.all([api<{ data: EventRow[] }>('/admin/events?limit=200'), api<Stats>('/admin/stats')]);
    setRows(events.data);
    setStats(s);
    setChanged((n) => n + 1);
  }, []);
  const soon = useCallback(() => {
    window.clearTimeout(refreshTimer.current);
    refreshTimer.current = window.setTimeout(() => void refresh().catch(() => undefined), 150);
  }, [refresh]);

  useEffect(() => {
    refresh().catch((e) => e instanceof Unauthorized && onLogout());
    api<Sources>('/admin/sources').then((s) => {
      setSources(s);
      setSample({ source: s.data[0]?.id ?? '', type: s.data[0]?.events[0] ?? '' });
    });
    return openStream({
      onState: (state) => {
        setLive(state);
        if (state === 'live') soon();
      },
      onMessage: (event, data) => {
        if (event === 'event') {
          const e = data as LiveEvent;
          setRows((list) =>
            list.some((r) => r.id === e.rowid)
              ? list
              : [
                  {
                    id: e.rowid,
                    source: e.source,
                    event_id: e.eventId,
                    provider: e.provider,
                    type: e.type,
                    received_at: e.receivedAt,
                    delivered: 0,
                    failed: 0,
                    pending: e.deliveries,
                  },
                  ...list,
                ],
          );
        }
        if (event === 'stats') setStats((s) => (s ? { ...s, queue: (data as Stats).queue } : s));
        if (event === 'delivery' || event === 'event') soon();
      },
    });
  }, []);

  const shown = useMemo(
    () =>
      rows.filter(
        (r) =>
          (!filters.source || r.source === filters.source) &&
          (!filters.type || r.type.includes(filters.type)) &&
          (!filters.status || statusOf(r) === filters.status),
      ),
    [rows, filters],
  );
  const sampleSource = sources?.data.find((s) => s.id === sample.source);

  return (
    <div class="console">
      <header class="top">
        <h1>Hookbridge console</h1>
        <span class={`live ${live}`} role="status" aria-live="polite">
          {live === 'live' ? '● Live' : '○ Reconnecting…'}
        </span>
        <button onClick={onLogout}>Sign out</button>
      </header>
      <section class="health" aria-label="Health">
        <dl>
          <div>
            <dt>Events</dt>
            <dd data-testid="count-events">{stats?.totals.events ?? '—'}</dd>
          </div>
          <div>
            <dt>Delivered</dt>
            <dd data-testid="count-delivered">{stats?.totals.delivered ?? '—'}</dd>
          </div>
          <div>
            <dt>Failed</dt>
            <dd data-testid="count-failed">{stats?.totals.failed ?? '—'}</dd>
          </div>
          <div>
            <dt>Queue</dt>
            <dd data-testid="count-queue">{stats ? stats.queue.pending + stats.queue.inFlight : '—'}</dd>
          </div>
        </dl>
        <DeliveryChart points={stats?.perMinute ?? []} />
      </section>
      <section class="actions" aria-label="Actions">
        <form
          onSubmit={async (e) => {
            e.preventDefault();
            const r = await api<{ id: string }>('/admin/sample', { method: 'POST', body: JSON.stringify(sample) }).catch((err: Error) => ({
              id: err.message,
            }));
            setNotice(`Sent sample ${r.id}`);
          }}
        >
          <label for="sample-source">Source</label>
          <select
            id="sample-source"
            value={sample.source}
            onChange={(e) =>
              setSample({ source: e.currentTarget.value, type: sources?.data.find((s) => s.id === e.currentTarget.value)?.events[0] ?? '' })
            }
          >
            {sources?.data.map((s) => (
              <option value={s.id}>{`${s.id} (${s.name})`}</option>
            ))}
          </select>
          <label for="sample-type">Event</label>
          <select id="sample-type" value={sample.type} onChange={(e) => setSample({ ...sample, type: e.currentTarget.value })}>
            {sampleSource?.events.map((t) => (
              <option value={t}>{t}</option>
            ))}
          </select>
          <button type="submit">Send sample event</button>
        </form>
        <form
          onSubmit={async (e) => {
            e.preventDefault();
            const route = (e.currentTarget.elements.namedItem('replay-route') as HTMLSelectElement).value;
            const r = await api<{ deliveries: number }>('/admin/replay', {
              method: 'POST',
              body: JSON.stringify({ failed: true, route: route || undefined }),
            });
            setNotice(`Queued ${r.deliveries} failed deliveries again`);
          }}
        >
          <label for="replay-route">Route</label>
          <select id="replay-route" name="replay-route">
            <option value="">All routes</option>
            {sources?.routes.map((r) => (
              <option value={r.id}>{r.id}</option>
            ))}
          </select>
          <button type="submit">Replay failed deliveries</button>
        </form>
        {notice && <p role="status">{notice}</p>}
      </section>
      <section class="events" aria-label="Events">
        <div class="filters">
          <label>
            Source
            <select value={filters.source} onChange={(e) => setFilters({ ...filters, source: e.currentTarget.value })}>
              <option value="">All</option>
              {sources?.data.map((s) => (
                <option value={s.id}>{s.id}</option>
              ))}
            </select>
          </label>
          <label>
            Type
            <input value={filters.type} placeholder="score." onInput={(e) => setFilters({ ...filters, type: e.currentTarget.value })} />
          </label>
          <label>
            Status
            <select value={filters.status} onChange={(e) => setFilters({ ...filters, status: e.currentTarget.value })}>
              <option value="">All</option>
              <option value="delivered">Delivered</option>
              <option value="pending">Pending</option>
              <option value="failed">Failed</option>
            </select>
          </label>
        </div>
        <table class="list">
          <thead>
            <tr>
              <th>Received</th>
              <th>Source</th>
              <th>Type</th>
              <th>Event id</th>
              <th>Status</th>
            </tr>
          </thead>
          <tbody>
            {shown.map((r) => (
              <tr key={r.id} data-event={r.event_id} class={selected === r.id ? 'selected' : ''}>
                <td>{time(r.received_at)}</td>
                <td>{r.source}</td>
                <td>{r.type}</td>
                <td>
                  <button class="link" onClick={() => setSelected(r.id)} aria-label={`Open event ${r.event_id}`}>
                    {r.event_id}
                  </button>
                </td>
                <td>
                  <span class={`chip ${statusOf(r)}`}>{statusOf(r)}</span>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
      {selected !== undefined && <EventDetail id={selected} onClose={() => setSelected(undefined)} onChanged={changed} />}
    </div>
  );
}

function App() {
  const [signedIn, setSignedIn] = useState(Boolean(token.get()));
  const [error, setError] = useState<string>();
  const login = async (value: string) => {
    token.set(value);
    try {
      await api('/admin/stats');
      setError(undefined);
      setSignedIn(true);
    } catch (e) {
      token.clear();
      setError(e instanceof Unauthorized ? 'That token was refused.' : (e as Error).message);
    }
  };
  return signedIn ? (
    <Console
      onLogout={() => {
        token.clear();
        setSignedIn(false);
      }}
    />
  ) : (
    <Login onLogin={login} error={error} />
  );
}

render(<App />, document.getElementById('app')!);
