import { cpus, totalmem } from 'node:os';
import type { BenchFigure, Benchmark } from './benchmark.js';
import { benchmarks } from './benchmarks.js';

// `pnpm bench [name…]`: runs the named benchmarks (all by default) and prints a Markdown table to paste
// into bench/RESULTS.md together with the machine line.
const selected = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const toRun: Benchmark[] = selected.length
  ? benchmarks.filter((b) => selected.includes(b.name))
  : [...benchmarks];
if (selected.length && toRun.length !== selected.length) {
  process.stderr.write(`unknown benchmark; available: ${benchmarks.map((b) => b.name).join(', ')}\n`);
  process.exit(2);
}

const cpu = cpus()[0]?.model ?? 'unknown CPU';
const machine = `${cpus().length} × ${cpu}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}, ${process.platform}/${process.arch}`;
const date = new Date().toISOString().slice(0, 10);

function verdict(f: BenchFigure): string {
  if (!f.goal) return '';
  const ok = f.goal.better === 'higher' ? f.value >= f.goal.value : f.value <= f.goal.value;
  return `${f.goal.better === 'higher' ? '≥' : '≤'} ${f.goal.value} ${ok ? '✓' : '✗'}`;
}

const rows: string[] = [];
for (const bench of toRun) {
  process.stderr.write(`bench ${bench.name}: ${bench.description}\n`);
  const figures = await bench.run((m) => process.stderr.write(`  ${bench.name}: ${m}\n`));
  for (const f of figures) {
    const value = Number.isInteger(f.value) ? String(f.value) : f.value.toPrecision(4);
    rows.push(`| ${bench.name} | ${f.name} | ${value} ${f.unit} | ${verdict(f)} |`);
  }
}
process.stdout.write(`\nMachine: ${machine}; date: ${date}\n\n`);
process.stdout.write(`| benchmark | figure | value | goal |\n|---|---|---|---|\n${rows.join('\n')}\n`);
