/**
 * The text side of the model on the real PTB-XL reports (the shared data beside the repository): the
 * WordPiece tokenizer trained on the real corpus, and the class prompts encoded with it. These live with
 * the trainer, which reads datasets; the model package's own tests stay on synthetic text.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Rng } from '@heartline/ecg';
import { parsePtbxlDatabase, parseScpStatements } from '@heartline/ecg/data';
import { CLASS_PROMPTS, trainWordPiece, UNK_ID } from '@heartline/model/text';
import { sharedDataForTest } from '@heartline/node-io';
import { describe, expect, it } from 'vitest';

const reportsDir = sharedDataForTest('ptbxl-reports');
const ptbxl500Dir = sharedDataForTest('ptbxl-500');

function readReports(dir: string): string[] {
  const statements = parseScpStatements(readFileSync(join(dir, 'scp_statements.csv'), 'utf8'));
  const records = parsePtbxlDatabase(readFileSync(join(dir, 'ptbxl_database.csv'), 'utf8'), statements);
  return records.map((r) => r.report.text);
}

describe.skipIf(!reportsDir)('trainWordPiece on the real PTB-XL report corpus', () => {
  it('trains with vocabSize 2,000, with < 1 % [UNK] and ≤ 64 tokens for ≥ 95 % of reports', () => {
    const reports = readReports(reportsDir!);
    const t0 = performance.now();
    const tok = trainWordPiece(reports, { vocabSize: 2000 });
    const trainSeconds = (performance.now() - t0) / 1000;
    const lengths = reports.map((r) => tok.tokenIds(r).length + 2);
    const total = lengths.reduce((a, b) => a + b, 0) - 2 * reports.length;
    const unk = reports.reduce((n, r) => n + tok.tokenIds(r).filter((id) => id === UNK_ID).length, 0);
    const within64 = lengths.filter((n) => n <= 64).length / reports.length;
    const mean = total / reports.length;
    const shuffled = trainWordPiece(new Rng(1).shuffle([...reports]), { vocabSize: 2000 });
    console.log(
      `ptbxl-reports: ${reports.length} reports, vocab ${tok.vocabSize} in ${trainSeconds.toFixed(2)} s, ` +
        `[UNK] ${((100 * unk) / total).toFixed(3)} %, mean ${mean.toFixed(1)} pieces/report, ` +
        `${(100 * within64).toFixed(1)} % fit in 64 with [CLS]/[SEP]`,
    );
    expect(unk / total).toBeLessThan(0.01);
    expect(within64).toBeGreaterThanOrEqual(0.95);
    expect(JSON.stringify(shuffled)).toBe(JSON.stringify(tok));
    // Words every German and English report family uses end up as single pieces.
    for (const word of ['sinusrhythmus', 'vorhofflimmern', 'rhythm', 'infarkt', 'normal'])
      expect(tok.tokenize(word), word).toEqual([word]);
    if (ptbxl500Dir) {
      const other = readReports(ptbxl500Dir).flatMap((r) => tok.tokenIds(r));
      const rate = other.filter((id) => id === UNK_ID).length / other.length;
      console.log(`ptbxl-500 reports with that vocabulary: [UNK] ${(100 * rate).toFixed(3)} %`);
      expect(rate).toBeLessThan(0.01);
    }
  });
});

describe.skipIf(!reportsDir)('CLASS_PROMPTS with a tokenizer trained on the real reports', () => {
  it('encodes every phrase without [UNK]', () => {
    const tok = trainWordPiece(readReports(reportsDir!), { vocabSize: 2000 });
    let pieces = 0;
    let phrases = 0;
    for (const [code, prompts] of Object.entries(CLASS_PROMPTS)) {
      for (const phrase of [...prompts.en, ...prompts.de]) {
        const ids = tok.tokenIds(phrase);
        expect(ids, `${code}: ${phrase} → ${tok.tokenize(phrase).join(' ')}`).not.toContain(UNK_ID);
        pieces += ids.length;
        phrases++;
      }
    }
    console.log(`class prompts: ${phrases} phrases, mean ${(pieces / phrases).toFixed(1)} pieces each`);
  });
});
