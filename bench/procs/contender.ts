/**
 * One contender in its own process, so its RSS and event loop are its own. argv[2]: JSON
 * `ContenderSpec`. Answers `rss` (peak since the last `reset-rss`, and now) over IPC.
 */
import { startDeskgraph } from '../contenders/deskgraph.ts';
import { startNaiveGateway } from '../contenders/naive-gateway.ts';
import { startRestAggregator } from '../contenders/rest-aggregator.ts';
import { rssSampler, serveParent } from '../lib/child.ts';

export type ContenderKind = 'A' | 'B' | 'C' | 'D';

export interface ContenderSpec {
  kind: ContenderKind;
  upstreamOrigin: string;
  apiKey: string;
  /** deskgraph only: extra environment for its config. */
  env?: Record<string, string>;
}

export interface ContenderReady {
  /** Where to send requests: a GraphQL endpoint, or (A) the aggregator's origin. */
  url: string;
  pid: number;
}

export interface RssReport {
  peak: number;
  current: number;
}

const spec = JSON.parse(process.argv[2] ?? '{}') as ContenderSpec;
const target = { upstreamOrigin: spec.upstreamOrigin, apiKey: spec.apiKey };
const running =
  spec.kind === 'A'
    ? await startRestAggregator(target)
    : spec.kind === 'B'
      ? await startNaiveGateway(target)
      : await startDeskgraph({
          ...target,
          cold: spec.kind === 'C',
          env: spec.env,
        });
const rss = rssSampler();

serveParent(
  { url: running.url, pid: process.pid } satisfies ContenderReady,
  {
    rss: (): RssReport => ({ peak: rss.peak(), current: rss.current() }),
    /** CPU time this process has used (user + system, µs): per query, robust to a busy machine. */
    cpu: (): number => {
      const usage = process.cpuUsage();
      return usage.user + usage.system;
    },
    'reset-rss': () => {
      rss.reset();
      return true;
    },
    gc: () => {
      const gc = (globalThis as { gc?: () => void }).gc;
      gc?.();
      return gc !== undefined;
    },
  },
  () => running.close(),
);
