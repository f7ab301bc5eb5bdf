import { describe, expect, it } from 'vitest';
import { analyseReport, detectReportLanguage, normaliseReportText } from './report-text.js';

describe('normaliseReportText', () => {
  it.each([
    ['verlÄngerung', 'verlängerung'],
    ['unvollstÄndiger rechtsschenkelblock', 'unvollständiger rechtsschenkelblock'],
    ['mÖglich fÜr Übergang', 'möglich für übergang'],
    ['Ålder ej bestÄmmbar', 'ålder ej bestämmbar'],
    ['mäßige st-senkung', 'mässige st-senkung'],
    ['STRASSE ẞ', 'strasse ss'],
    ['verÃ¤nderung stÃ¶rung', 'veränderung störung'],
    ['  sinus   rhythm.\n\tnormal ECG.  ', 'sinus rhythm. normal ecg.'],
    ['vänster belastning    ó©     ó¬  x', 'vänster belastning x'],
  ])('normalises %j to %j', (raw, expected) => {
    expect(normaliseReportText(raw)).toBe(expected);
  });

  it('composes decomposed umlauts (a + combining diaeresis) into one character', () => {
    expect(normaliseReportText('verla\u0308ngerung')).toBe('verlängerung');
  });
});

describe('analyseReport', () => {
  it('strips the program version and "unbestätigter bericht" into a flag', () => {
    const r = analyseReport(
      'sinusrhythmus lagetyp normal normales ekg 4.46                          unbestÄtigter bericht',
    );
    expect(r.text).toBe('sinusrhythmus lagetyp normal normales ekg');
    expect(r.unconfirmed).toBe(true);
    expect(r.language).toBe('de');
  });

  it.each(['unbestÄti', 'unbestÄt', 'unbestÄ', 'unbestÄtigter be'])(
    'recognises the truncated flag %j at the end',
    (tail) => {
      const r = analyseReport(`st & t abnorm, wahrscheinlich linksbelastung 4.46      ${tail}`);
      expect(r.text).toBe('st & t abnorm, wahrscheinlich linksbelastung');
      expect(r.unconfirmed).toBe(true);
    },
  );

  it('keeps "alter unbest." (age unknown), which is content, not the flag', () => {
    const r = analyseReport('qrs(t) abnorm    inferiorer infarkt     alter unbest.');
    expect(r.text).toBe('qrs(t) abnorm inferiorer infarkt alter unbest.');
    expect(r.unconfirmed).toBe(false);
  });

  it('recognises the English flag', () => {
    const r = analyseReport('Sinus rhythm. Normal ECG. Unconfirmed report.');
    expect(r).toMatchObject({ text: 'sinus rhythm. normal ecg.', unconfirmed: true, language: 'en' });
  });

  it('moves the cardiologist edit note, which lists SCP codes, out of the text', () => {
    const r = analyseReport('sinus rhythm. normal ecg. Edit: NORM 100, (NORM 100)');
    expect(r.text).toBe('sinus rhythm. normal ecg.');
    expect(r.editNote).toBe('norm 100, (norm 100)');
    expect(analyseReport('sinus rhythm.').editNote).toBeUndefined();
  });

  it('keeps the raw text untouched', () => {
    const raw = 'ischÄmie  4.46 unbestÄtigter bericht';
    expect(analyseReport(raw).raw).toBe(raw);
  });
});

describe('detectReportLanguage', () => {
  // Hand-written sentences in each language's report style (not copied from the dataset).
  it.each([
    ['sinusrhythmus linkstyp sonst normales ekg', 'de'],
    ['vorhofflimmern mit schneller überleitung, st-senkung in v5', 'de'],
    ['sinusbradykardie unvollständiger rechtsschenkelblock', 'de'],
    ['sinus rhythm. left axis deviation. otherwise normal ecg.', 'en'],
    ['atrial fibrillation with rapid ventricular response.', 'en'],
    ['t waves are inverted in the lateral leads.', 'en'],
    ['sinusrytm vänster el-axel', 'sv'],
    ['förmaksflimmer st-t sänkning, såsom vid lateral ischemi', 'sv'],
    ['', 'unknown'],
    ['12345 ???', 'unknown'],
  ])('labels %j as %s', (text, expected) => {
    expect(detectReportLanguage(text)).toBe(expected);
  });
});
