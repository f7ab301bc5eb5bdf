import type { Rng } from '../util/rng.js';
import type { ScpCode } from './conditions.js';
import { type Choices, even, hedged, LEAD_LISTS, type ReportInput } from './report-phrases.js';

const pick = (rng: Rng, c: Choices) => rng.weighted(c);

function rhythm(input: ReportInput, rng: Rng): string {
  const { codes, findings } = input;
  if (codes.includes('AFIB')) {
    if (findings.heartRate > 100) {
      return pick(rng, [
        ['tachykardes vorhofflimmern', 5],
        ['vorhofflimmern/-flattern', 3],
        ['tachyarrhythmia absoluta bei vorhofflimmern', 1],
        ['tachykardes vhf', 0.5],
      ]);
    }
    if (findings.heartRate < 60)
      return pick(
        rng,
        even('bradykardes vorhofflimmern', 'vorhofflimmern/-flattern', 'bradyarrhythmie bei vorhofflimmern'),
      );
    return pick(rng, [
      ['vorhofflimmern/-flattern', 5],
      ['normokardes vorhofflimmern', 2],
      ['vorhofflimmern', 2],
      ['absolute arrhythmie bei vorhofflimmern', 1],
    ]);
  }
  if (codes.includes('SBRAD'))
    return pick(rng, [
      ['sinusbradykardie', 6],
      ['bradykarder sinusrhythmus', 1],
      [`sinusbradykardie, hf ${Math.round(findings.heartRate)}/min`, 0.5],
    ]);
  if (codes.includes('STACH'))
    return pick(rng, [
      ['sinustachykardie', 6],
      ['tachykarder sinusrhythmus', 1],
    ]);
  return pick(rng, [
    ['sinusrhythmus', 12],
    ['normofrequenter sinusrhythmus', 1],
    ['sinusrhythmus, normofrequent', 0.5],
    ['sr', 0.3],
  ]);
}

function axis(deg: number, rng: Rng): string {
  if (deg < -30)
    return pick(rng, [
      ['ueberdrehter linkstyp', 6],
      ['überdrehter linkstyp', 1],
    ]);
  if (deg < 30)
    return pick(rng, [
      ['linkstyp', 8],
      ['linkslagetyp', 0.5],
    ]);
  if (deg < 60)
    return pick(rng, [
      ['lagetyp normal', 8],
      ['indifferenztyp', 1],
      ['normaler lagetyp', 0.5],
    ]);
  if (deg <= 90)
    return pick(rng, [
      ['lagetyp normal', 6],
      ['steiltyp', 2],
      ['steillagetyp', 0.5],
    ]);
  if (deg <= 120) return 'rechtstyp';
  return pick(rng, even('ueberdrehter rechtstyp', 'extrem ueberdrehter rechtstyp'));
}

function infarct(input: ReportInput, code: ScpCode, rng: Rng): string {
  const name =
    code === 'IMI'
      ? pick(rng, [
          ['inferiorer infarkt', 6],
          ['hinterwandinfarkt', 1],
          ['inferiorer myokardschaden', 1],
        ])
      : code === 'ASMI'
        ? pick(rng, [
            ['anteroseptaler infarkt', 6],
            ['anteroseptaler myokardschaden', 2],
            ['septaler infarkt', 1],
          ])
        : pick(rng, [
            ['anteriorer infarkt', 5],
            ['vorderwandinfarkt', 2],
            ['ausgedehnter vorderwandinfarkt', 1],
          ]);
  const age = input.findings.acuteMi
    ? pick(rng, even('mögl. akut', 'wahrscheinlich akut', 'frisch'))
    : hedged(input, code)
      ? pick(rng, even('möglich', 'nicht auszuschliessen', 'alter unbest.'))
      : pick(rng, [
          ['wahrscheinlich alt', 4],
          ['alter unbest.', 3],
          ['chronisch', 1],
        ]);
  const gap = rng.chance(0.6) ? '     ' : ' ';
  return `${name}${age === 'möglich' || age === 'nicht auszuschliessen' ? ' ' : gap}${age}`;
}

function sectionsFor(input: ReportInput, rng: Rng): { lead: string[]; body: string[] } {
  const { codes, findings } = input;
  const lead: string[] = [];
  const body: string[] = [];
  if (codes.includes('PVC')) {
    let pvc = pick(rng, [
      ['ventrikuläre extrasystole(n)', 8],
      ['ventrikuläre extrasystolen', 2],
      ['vereinzelte ventrikuläre extrasystolen', 1],
      ['ventr. extrasystolen uniform', 1],
      ['ves', 0.5],
    ]);
    if (findings.pvcCount >= 4 && rng.chance(0.5)) pvc += pick(rng, even(', bigeminus', ', gehäuft'));
    lead.push(pvc);
  }
  lead.push(rhythm(input, rng));
  if (codes.includes('1AVB')) {
    const av = pick(rng, [
      ['a-v block i', 6],
      ['av-block 1. grades', 2],
      ['av-block i. grades', 2],
      ['av-block i°', 1],
      ['pq-verlängerung (av-block i)', 1],
    ]);
    lead.push((findings.prMs ?? 0) > 300 && rng.chance(0.4) ? `deutlicher ${av}` : av);
  }
  if (rng.chance(0.88)) body.push(axis(findings.axisDeg, rng));
  if (codes.includes('CLBBB')) {
    body.push(
      pick(rng, [
        ['linksschenkelblock', 6],
        ['kompletter linksschenkelblock', 2],
        ['kompl. lsb', 1],
        ['vollständiger linksschenkelblock', 1],
        ['lsb', 0.5],
      ]),
    );
  }
  if (codes.includes('CRBBB')) {
    body.push(
      pick(rng, [
        ['rechtsschenkelblock', 6],
        ['kompletter rechtsschenkelblock', 2],
        ['kompl. rsb', 1],
        ['vollständiger rechtsschenkelblock', 1],
        ['rsb', 0.5],
      ]),
    );
  }
  if (codes.includes('LVH')) {
    body.push(
      hedged(input, 'LVH')
        ? pick(rng, [
            ['linkshypertrophie möglich', 3],
            ['mässige amplitudenkriterien für linkshypertrophie', 3],
            ['verdacht auf linkshypertrophie', 1],
          ])
        : pick(rng, [
            ['linkshypertrophie', 4],
            ['linksventrikuläre hypertrophie', 1],
            ['zeichen der linkshypertrophie', 1],
            ['sokolow-index positiv, linkshypertrophie', 1],
          ]),
    );
  }
  const infarcts = (['ASMI', 'AMI', 'IMI'] as const).filter((c) => codes.includes(c));
  if (infarcts.length > 0) {
    const head = pick(rng, [
      ['qrs(t) abnorm', 5],
      ['qrs(t) abnormal', 2],
      ['qrs(t) abnorm,', 0.5],
    ]);
    const sep = rng.chance(0.7) ? '    ' : ' ';
    body.push(`${head}${sep}${infarcts.map((c) => infarct(input, c, rng)).join(sep)}`);
    if (findings.acuteMi && rng.chance(0.6)) {
      const where = infarcts.includes('IMI')
        ? pick(rng, LEAD_LISTS.inferior)
        : pick(rng, LEAD_LISTS.anteroseptal);
      body.push(`st-hebung in ${where.replace(/, /g, ',')}`);
    }
  }
  if (findings.lvhStrain && rng.chance(0.8)) {
    body.push(
      pick(rng, [
        ['st & t abnorm, wahrscheinlich    anterolaterale ischämie oder linksbelastung', 4],
        ['st & t abnormal, wahrscheinlich linksbelastung', 1],
        ['linksschädigungszeichen', 1],
        [`st-senkung in ${pick(rng, LEAD_LISTS.lateral).replace(/, /g, ',')}`, 1],
        [`t neg in ${pick(rng, LEAD_LISTS.lateral).replace(/, /g, ',')}`, 1],
      ]),
    );
  }
  return { lead, body };
}

/** Writes a German PTB-XL-style report (lower case, space-separated statements, no sentence punctuation). */
export function germanReport(input: ReportInput, rng: Rng): string {
  const { lead, body } = sectionsFor(input, rng);
  // PTB-XL mostly lists ectopy before the rhythm; some readers put the axis first.
  if (lead.length > 1 && rng.chance(0.25)) lead.push(lead.shift() as string);
  if (body.length > 1 && rng.chance(0.08)) lead.unshift(body.shift() as string);
  const parts = [...lead, ...body];
  const norm = input.codes.includes('NORM');
  if (norm) {
    const onlyRhythm = body.length === 0 || (body.length === 1 && /typ/.test(body[0] ?? ''));
    parts.push(
      (input.likelihoods?.NORM ?? 100) < 100
        ? 'wahrscheinlich normales ekg'
        : pick(
            rng,
            onlyRhythm && body.length === 1
              ? [
                  ['sonst normales ekg', 3],
                  ['normales ekg', 4],
                ]
              : [['normales ekg', 1]],
          ),
    );
  } else if (rng.chance(0.25)) {
    parts.push(
      pick(rng, [
        ['pathologisches ekg', 2],
        ['path. ekg', 1],
      ]),
    );
  }
  let text = parts.join(' ');
  if (rng.chance(0.45)) text += ` 4.46${' '.repeat(26)}unbestätigter bericht`;
  return applyUmlautStyle(text, rng);
}

/**
 * PTB-XL's German text went through an upper-casing code page: most reports show "Ä/Ö/Ü" inside lower-case
 * words, some plain "ä/ö/ü", some ASCII "ae/oe/ue". Reproducing all three keeps tokenizers honest.
 */
function applyUmlautStyle(text: string, rng: Rng): string {
  const style = rng.weighted([
    ['caps', 0.8],
    ['plain', 0.08],
    ['ascii', 0.12],
  ] as const);
  if (style === 'plain') return text;
  const map: Record<string, string> =
    style === 'caps' ? { ä: 'Ä', ö: 'Ö', ü: 'Ü' } : { ä: 'ae', ö: 'oe', ü: 'ue' };
  return text.replace(/[äöü]/g, (ch) => map[ch] ?? ch);
}
