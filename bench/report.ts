/** Turns benchmark results into a Markdown report and an SVG chart (no plotting library needed for one chart). */
import type { LatencyResult, IndexingResult, StartupResult } from './pipeline.js';
import type { VectorResult } from './vectors.js';

export interface ReportInput {
  machine: { cores: number; cpu: string; node: string; platform: string; date: string };
  defaults: { m: number; efConstruction: number; searchEf: number };
  vectors: VectorResult[];
  latency: { seed: LatencyResult; large: LatencyResult };
  indexing: IndexingResult;
  startup: StartupResult;
  totalSeconds: number;
  quick: boolean;
}

const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd'];

/** Recall@10 against queries per second (log scale), one line per corpus size, one point per ef. */
export function renderChart(vectors: VectorResult[]): string {
  const width = 720;
  const height = 420;
  const left = 70;
  const right = 170;
  const top = 40;
  const bottom = 60;
  const allQps = vectors.flatMap((v) => v.efResults.map((r) => r.qps));
  const minLog = Math.floor(Math.log10(Math.min(...allQps)));
  const maxLog = Math.ceil(Math.log10(Math.max(...allQps)));
  const minRecall = Math.min(0.9, ...vectors.flatMap((v) => v.efResults.map((r) => r.recallAt10)));
  const x = (qps: number) => left + ((Math.log10(qps) - minLog) / (maxLog - minLog || 1)) * (width - left - right);
  const y = (recall: number) => top + ((1 - recall) / (1 - minRecall || 1)) * (height - top - bottom);
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="${width}" height="${height}" fill="white"/>`,
    `<text x="${width / 2 - 60}" y="22" font-size="15">HNSW recall@10 vs queries per second</text>`,
    `<line x1="${left}" y1="${height - bottom}" x2="${width - right}" y2="${height - bottom}" stroke="black"/>`,
    `<line x1="${left}" y1="${top}" x2="${left}" y2="${height - bottom}" stroke="black"/>`,
    `<text x="${(left + width - right) / 2 - 70}" y="${height - 20}">queries per second (log scale)</text>`,
    `<text x="15" y="${top + 130}" transform="rotate(-90 15 ${top + 130})">recall@10</text>`,
  ];
  for (let e = minLog; e <= maxLog; e++) {
    parts.push(
      `<line x1="${x(10 ** e)}" y1="${height - bottom}" x2="${x(10 ** e)}" y2="${height - bottom + 5}" stroke="black"/>`,
    );
    parts.push(
      `<text x="${x(10 ** e) - 12}" y="${height - bottom + 20}">${10 ** e >= 1000 ? `${10 ** (e - 3)}k` : 10 ** e}</text>`,
    );
  }
  for (let i = 0; i <= 4; i++) {
    const recall = minRecall + ((1 - minRecall) * i) / 4;
    parts.push(`<text x="${left - 45}" y="${y(recall) + 4}">${recall.toFixed(3)}</text>`);
    parts.push(`<line x1="${left}" y1="${y(recall)}" x2="${width - right}" y2="${y(recall)}" stroke="#ddd"/>`);
  }
  vectors.forEach((v, i) => {
    const color = COLORS[i % COLORS.length];
    const points = v.efResults.map((r) => `${x(r.qps).toFixed(1)},${y(r.recallAt10).toFixed(1)}`).join(' ');
    parts.push(`<polyline points="${points}" fill="none" stroke="${color}" stroke-width="2"/>`);
    for (const r of v.efResults) {
      parts.push(`<circle cx="${x(r.qps).toFixed(1)}" cy="${y(r.recallAt10).toFixed(1)}" r="3.5" fill="${color}"/>`);
      parts.push(
        `<text x="${(x(r.qps) + 5).toFixed(1)}" y="${(y(r.recallAt10) - 5).toFixed(1)}" font-size="10" fill="${color}">ef ${r.ef}</text>`,
      );
    }
    parts.push(`<rect x="${width - right + 15}" y="${top + 20 * i}" width="12" height="12" fill="${color}"/>`);
    parts.push(
      `<text x="${width - right + 32}" y="${top + 10 + 20 * i}">${v.passages.toLocaleString('en')} passages</text>`,
    );
  });
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}

const ms = (value: number) => `${value.toFixed(1)} ms`;
const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MiB`;

export function renderReport(r: ReportInput): string {
  const vectorRows = r.vectors.flatMap((v) =>
    v.efResults.map(
      (e) =>
        `| ${v.passages.toLocaleString('en')} | ${e.ef} | ${e.recallAt10.toFixed(4)} | ${Math.round(e.qps).toLocaleString('en')} | ${e.msPerQuery.toFixed(3)} | ${e.speedupOverBruteForce.toFixed(0)}× |`,
    ),
  );
  const buildRows = r.vectors.map(
    (v) =>
      `| ${v.passages.toLocaleString('en')} | ${v.buildSeconds.toFixed(1)} s | ${mib(v.indexBytesOnDisk)} | ${mib(v.indexBytesInMemory)} | ${v.bruteForceMsPerQuery.toFixed(1)} ms (${v.bruteForceQps.toFixed(0)}/s) |`,
  );
  const latencyRow = (name: string, l: LatencyResult) =>
    `| ${name} (${l.passages.toLocaleString('en')} passages) | ${ms(l.sequentialMs.p50)} / ${ms(l.sequentialMs.p95)} / ${ms(l.sequentialMs.p99)} | ${ms(l.concurrent20Ms.p50)} / ${ms(l.concurrent20Ms.p95)} / ${ms(l.concurrent20Ms.p99)} | ${ms(l.concurrent20MsWorker.p50)} / ${ms(l.concurrent20MsWorker.p95)} / ${ms(l.concurrent20MsWorker.p99)} | ${ms(l.eventLoopMaxBlockMsInProcess)} | ${ms(l.eventLoopMaxBlockMsWorker)} |`;
  return `# Benchmark results

Measured ${r.machine.date} on ${r.machine.cores} cores (${r.machine.cpu}), Node ${r.machine.node}, ${r.machine.platform};
whole run ${r.totalSeconds.toFixed(0)} s${r.quick ? ' (--quick: reduced sizes)' : ''}. Reproduce with \`npm run bench\`.

## Vector search: HNSW (M=${r.defaults.m}, efConstruction=${r.defaults.efConstruction}) against exact search

![recall against speed](recall-vs-speed.svg)

| passages | ef | recall@10 | queries/s | ms/query | faster than exact |
| ---: | ---: | ---: | ---: | ---: | ---: |
${vectorRows.join('\n')}

| passages | build | on disk | in memory (RSS growth) | exact search |
| ---: | ---: | ---: | ---: | ---: |
${buildRows.join('\n')}

## Answering (offline test model: embedding, retrieval, fusion, sentence scoring; in-process and through the bot's answering worker)

| index | one at a time p50 / p95 / p99 | 20 at once p50 / p95 / p99 | 20 at once through the answering worker | longest event-loop block, in-process | … with the worker |
| --- | --- | --- | --- | --- | --- |
${latencyRow('seed corpus', r.latency.seed)}
${latencyRow('synthetic corpus', r.latency.large)}

## Indexing (offline test model, synthetic articles of 8 paragraphs)

| articles | passages | full build | passages/s | index size | unchanged re-run | one article edited |
| ---: | ---: | ---: | ---: | ---: | ---: | ---: |
| ${r.indexing.articles.toLocaleString('en')} | ${r.indexing.passages.toLocaleString('en')} | ${r.indexing.fullBuildSeconds.toFixed(1)} s | ${Math.round(r.indexing.passagesPerSecond).toLocaleString('en')} | ${mib(r.indexing.indexBytes)} | ${r.indexing.unchangedSeconds.toFixed(2)} s | ${r.indexing.incrementalSeconds.toFixed(1)} s (${r.indexing.incrementalEmbedded} embedded) |

## Start-up

A fresh process, from its start to its first answer, with ${r.startup.passages.toLocaleString('en')} passages: **${(r.startup.msToReady / 1000).toFixed(2)} s**, **${mib(r.startup.rssBytes)}** resident.
`;
}
