import { describe, expect, it } from 'vitest';
import { generateEcg } from './generate.js';

/** Keywords a reader would look for, per language, written from PTB-XL's vocabulary (not from the grammar). */
const KEYWORDS: Record<string, { de: RegExp; en: RegExp }> = {
  SR: { de: /sinus|\bsr\b/, en: /sinus rhythm/ },
  SBRAD: { de: /brady/, en: /bradycardia/ },
  STACH: { de: /tachy/, en: /tachycardia/ },
  AFIB: { de: /vorhofflimmern|vhf/, en: /atrial fibrillation|\baf\b/ },
  '1AVB': { de: /a-?v[- ]block|pq-verl/, en: /pr interval|a-?v block|heart block/ },
  CLBBB: { de: /linksschenkelblock|\blsb\b/, en: /left bundle branch block|lbbb/ },
  CRBBB: { de: /rechtsschenkelblock|\brsb\b/, en: /right bundle branch block|rbbb/ },
  AMI: { de: /anterior|vorderwand/, en: /anterior/ },
  ASMI: { de: /septal/, en: /anteroseptal/ },
  IMI: { de: /inferior|hinterwand/, en: /inferior/ },
  LVH: { de: /linkshypertrophie|linksventrikul.*hypertrophie/i, en: /lvh|ventricular hypertrophy/ },
  PVC: {
    de: /extrasystol|\bves\b/,
    en: /ventricular (premature|extrasystole|ectopic)|premature ventricular/,
  },
  NORM: { de: /normales ekg/, en: /normal ecg|no definite pathology|within normal limits/ },
};

const SETS: string[][] = [
  ['NORM'],
  ['SBRAD'],
  ['STACH'],
  ['AFIB'],
  ['1AVB'],
  ['CLBBB'],
  ['CRBBB'],
  ['AMI'],
  ['ASMI'],
  ['IMI'],
  ['LVH'],
  ['PVC'],
  ['AFIB', 'CLBBB'],
  ['IMI', 'PVC'],
  ['1AVB', 'CRBBB', 'ASMI'],
];

describe('writeReport via generateEcg', () => {
  it('mentions every condition with a keyword of its language', () => {
    for (const set of SETS) {
      for (let seed = 0; seed < 30; seed++) {
        const e = generateEcg({ seed, conditions: set, noise: 'none', seconds: 2 });
        for (const code of e.codes) {
          const re = KEYWORDS[code]?.[e.language];
          expect(re, code).toBeDefined();
          expect(e.report.toLowerCase(), `${code} in ${e.language}`).toMatch(re as RegExp);
        }
      }
    }
  });

  it('writes about 60 % German and the rest English', () => {
    let de = 0;
    const n = 300;
    for (let seed = 0; seed < n; seed++)
      if (generateEcg({ seed, seconds: 2, noise: 'none' }).language === 'de') de++;
    // Binomial(300, 0.6): sd ≈ 8.5, so 150–210 is more than ±3.5 sd.
    expect(de).toBeGreaterThan(150);
    expect(de).toBeLessThan(210);
  });

  it('writes many distinct reports for one condition across seeds', () => {
    for (const code of ['NORM', 'AFIB', 'CLBBB', 'IMI', 'LVH']) {
      const reports = new Set<string>();
      for (let seed = 0; seed < 60; seed++)
        reports.add(generateEcg({ seed, conditions: [code], seconds: 2, noise: 'none' }).report);
      expect(reports.size, code).toBeGreaterThanOrEqual(12);
    }
  });

  it('honours the requested language: English as ". "-separated sentences, German in German vocabulary', () => {
    for (let seed = 0; seed < 20; seed++) {
      const en = generateEcg({
        seed,
        conditions: ['CRBBB'],
        language: 'en',
        seconds: 2,
        noise: 'none',
      }).report;
      const de = generateEcg({
        seed,
        conditions: ['CRBBB'],
        language: 'de',
        seconds: 2,
        noise: 'none',
      }).report;
      expect(en).toMatch(/^[a-z].*\. /);
      expect(de).toMatch(/^[a-zäöüÄÖÜ]/);
      expect(de).toMatch(/sinus|rhythmus|typ|schenkelblock/);
      expect(de).not.toMatch(/bundle branch|rhythm\b/);
    }
  });

  it('sometimes adds the unconfirmed-report trailer and PTB-XL umlaut spellings', () => {
    const reports: string[] = [];
    for (let seed = 0; seed < 200; seed++)
      reports.push(
        generateEcg({ seed, conditions: ['PVC'], language: 'de', seconds: 2, noise: 'none' }).report,
      );
    expect(reports.some((r) => /4\.46 +unbest(Ä|ä|ae)tigter bericht/.test(r))).toBe(true);
    expect(reports.some((r) => r.includes('ventrikulÄre'))).toBe(true);
    expect(reports.some((r) => r.includes('ventrikulaere'))).toBe(true);
  });
});
