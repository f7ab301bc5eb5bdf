import { analyseReport, normaliseReportText } from '@heartline/ecg/data';
import { generateEcg, MODELLED_CODES } from '@heartline/ecg/synth';
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../errors.js';
import { CLASS_PROMPTS, CLASS_SETS, type ClassSetName, promptsFor } from './class-prompts.js';
import { preTokenize } from './pre-tokenize.js';

describe('CLASS_SETS', () => {
  it('lists the five diagnostic superclasses, the twelve PTB-XL rhythm codes and every modelled code', () => {
    expect(CLASS_SETS.superclass).toEqual(['NORM', 'MI', 'STTC', 'CD', 'HYP']);
    expect(CLASS_SETS.rhythm).toHaveLength(12);
    expect(CLASS_SETS.rhythm).toEqual(
      expect.arrayContaining(['SR', 'AFIB', 'AFLT', 'STACH', 'SBRAD', 'SARRH', 'PACE']),
    );
    expect([...CLASS_SETS.synthetic]).toEqual([...MODELLED_CODES]);
  });

  it('has prompts for every code of every set, and no prompts outside the sets', () => {
    const inSets = new Set((Object.keys(CLASS_SETS) as ClassSetName[]).flatMap((s) => CLASS_SETS[s]));
    for (const code of inSets) expect(CLASS_PROMPTS[code], code).toBeDefined();
    expect(Object.keys(CLASS_PROMPTS).filter((code) => !inSets.has(code))).toEqual([]);
  });
});

describe('CLASS_PROMPTS', () => {
  it('gives every class distinct phrases in both languages, at least three in all', () => {
    for (const [code, prompts] of Object.entries(CLASS_PROMPTS)) {
      for (const language of ['en', 'de'] as const) {
        expect(prompts[language].length, `${code} ${language}`).toBeGreaterThanOrEqual(1);
        expect(new Set(prompts[language]).size, `${code} ${language} duplicates`).toBe(
          prompts[language].length,
        );
      }
      expect(prompts.en.length + prompts.de.length, code).toBeGreaterThanOrEqual(3);
    }
  });

  it('words the modelled codes only with words the synthetic reports use, so none keeps a random embedding', () => {
    for (const code of MODELLED_CODES) {
      // The words of 200 reports (both languages) of ECGs that carry this code.
      const words = new Set<string>();
      for (let seed = 0; seed < 200; seed++) {
        const ecg = generateEcg({ seed, conditions: [code], sampleRate: 100, seconds: 2, noise: 'none' });
        for (const word of preTokenize(analyseReport(ecg.report).text)) words.add(word);
      }
      for (const phrase of promptsFor(code)) {
        const unseen = preTokenize(phrase).filter((w) => !words.has(w));
        expect(unseen, `${code}: '${phrase}'`).toEqual([]);
      }
    }
  });

  it('writes every phrase already normalised, so the prompt is what the text encoder sees', () => {
    for (const [code, prompts] of Object.entries(CLASS_PROMPTS))
      for (const phrase of [...prompts.en, ...prompts.de])
        expect(normaliseReportText(phrase), code).toBe(phrase);
  });

  it('gives different classes different phrase lists', () => {
    const seen = new Map<string, string>();
    for (const [code, prompts] of Object.entries(CLASS_PROMPTS)) {
      const key = JSON.stringify(prompts);
      expect(seen.get(key), `${code} duplicates ${seen.get(key)}`).toBeUndefined();
      seen.set(key, code);
    }
  });
});

describe('promptsFor', () => {
  it('returns English phrases then German ones, or one language when asked', () => {
    const sr = CLASS_PROMPTS['SR']!;
    expect(promptsFor('SR')).toEqual([...sr.en, ...sr.de]);
    expect(promptsFor('SR', ['de'])).toEqual(sr.de);
  });

  it('throws InvalidArgumentError for the unknown code "XYZ"', () => {
    expect(() => promptsFor('XYZ')).toThrow(InvalidArgumentError);
  });
});
