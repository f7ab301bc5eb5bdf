import type { Rng } from '../util/rng.js';
import { type Choices, even, hedged, LEAD_LISTS, type ReportInput } from './report-phrases.js';

const pick = (rng: Rng, c: Choices) => rng.weighted(c);

function rhythm(input: ReportInput, rng: Rng): string {
  const { codes, findings } = input;
  if (codes.includes('AFIB')) {
    const base = pick(rng, [
      ['atrial fibrillation', 10],
      ['af', 0.3],
    ]);
    if (findings.heartRate > 100 && rng.chance(0.75)) {
      return `${base} with ${pick(rng, [
        ['rapid ventricular response', 5],
        ['fast ventricular rate', 1],
      ])}`;
    }
    if (findings.heartRate < 60 && rng.chance(0.7)) return `${base} with slow ventricular response`;
    if (rng.chance(0.15)) return `${base} with controlled ventricular response`;
    return base;
  }
  if (codes.includes('SBRAD'))
    return pick(rng, [
      ['sinus bradycardia', 8],
      ['marked sinus bradycardia', findings.heartRate < 45 ? 2 : 0],
    ]);
  if (codes.includes('STACH')) return 'sinus tachycardia';
  return pick(rng, [
    ['sinus rhythm', 10],
    ['normal sinus rhythm', 1.5],
  ]);
}

function axis(deg: number, rng: Rng): string | undefined {
  if (deg < -30)
    return pick(rng, [
      ['left axis deviation', 6],
      ['abnormal left axis deviation', 1],
    ]);
  if (deg < -10) return 'borderline left axis deviation';
  if (deg > 120) return 'right axis deviation';
  if (deg > 90) return pick(rng, even('right axis deviation', 'rightward axis'));
  return rng.chance(0.05) ? 'normal axis' : undefined;
}

function infarcts(input: ReportInput, rng: Rng): string[] {
  const { codes, findings } = input;
  const out: string[] = [];
  const acute = findings.acuteMi;
  if (codes.includes('ASMI')) {
    out.push(
      acute
        ? `st segments are elevated in ${pick(rng, LEAD_LISTS.anteroseptal)}. consistent with acute anteroseptal myocardial infarction`
        : hedged(input, 'ASMI')
          ? pick(
              rng,
              even(
                'tiny r waves in v2,3, old anteroseptal infarct cannot be excluded',
                'small r waves in v2,3, old anteroseptal infarct cannot be excluded',
                'possible old anteroseptal infarct',
              ),
            )
          : pick(
              rng,
              even(
                'qs complexes in v2,3 consistent with old anteroseptal myocardial infarction',
                'qs complexes in v2 and tiny r waves in v3 suggesting old anteroseptal infarct',
                'anteroseptal myocardial infarction of uncertain age',
                'q waves in v1,2 consistent with old anteroseptal myocardial infarction',
              ),
            ),
    );
  }
  if (codes.includes('AMI')) {
    out.push(
      acute
        ? `st segments are elevated in ${pick(rng, LEAD_LISTS.anterior)}. consistent with acute anterior myocardial infarction`
        : hedged(input, 'AMI')
          ? pick(
              rng,
              even(
                'poor progression of r waves in anterior chest leads, anterior infarct cannot be excluded',
                'possible old anterior infarct',
              ),
            )
          : pick(
              rng,
              even(
                `qs complexes in ${pick(rng, LEAD_LISTS.anterior)} consistent with anterior myocardial infarction`,
                'anterior myocardial infarction of uncertain age',
                `q waves in ${pick(rng, LEAD_LISTS.anterior)} and inverted t waves, consistent with old anterior infarct`,
              ),
            ),
    );
  }
  if (codes.includes('IMI')) {
    out.push(
      acute
        ? `st segments are elevated in ${pick(rng, LEAD_LISTS.inferior)}. consistent with acute inferior myocardial infarction`
        : hedged(input, 'IMI')
          ? pick(
              rng,
              even(
                'possible old inferior infarct',
                'old inferior myocardial infarction cannot be excluded',
                'small inferior q waves noted',
              ),
            )
          : pick(
              rng,
              even(
                'q waves in ii, iii, avf consistent with old inferior myocardial infarction',
                'inferior myocardial infarction of uncertain age',
                'q waves in iii, avf. consistent with ischaemic heart disease with old inferior myocardial infarction',
              ),
            ),
    );
  }
  return out;
}

/** Writes an English PTB-XL-style report: lower-case sentences separated by ". ". */
export function englishReport(input: ReportInput, rng: Rng): string {
  const { codes, findings } = input;
  const s: string[] = [];
  let pvc: string | undefined;
  if (codes.includes('PVC')) {
    pvc = pick(rng, [
      ['premature ventricular contraction(s)', 8],
      ['ventricular extrasystoles', 1],
      ['ventricular premature complexes', 1],
      [
        findings.pvcCount >= 3
          ? 'frequent ventricular premature beats'
          : 'occasional ventricular ectopic beats',
        1,
      ],
    ]);
    if (findings.pvcCount >= 4 && rng.chance(0.4)) pvc += ', bigeminy';
  }
  // PTB-XL's English reports usually open with the ectopy, then the rhythm.
  const pvcFirst = rng.chance(0.7);
  if (pvc && pvcFirst) s.push(pvc);
  s.push(rhythm(input, rng));
  if (pvc && !pvcFirst) s.push(pvc);
  if (codes.includes('1AVB')) {
    s.push(
      (findings.prMs ?? 0) > 300 && rng.chance(0.5)
        ? 'grossly prolonged pr interval'
        : pick(rng, [
            ['prolonged pr interval', 6],
            ['first degree av block', 2],
            ['1st degree a-v block', 1],
            ['first degree heart block', 1],
          ]),
    );
  }
  const ax = axis(findings.axisDeg, rng);
  if (ax) s.push(ax);
  if (codes.includes('CLBBB')) {
    s.push(
      pick(rng, [
        ['left bundle branch block', 4],
        ['left bundle branch block, this is most commonly due to ischaemic heart disease', 3],
        ['complete left bundle branch block', 1],
        ['lbbb', 0.3],
      ]),
    );
  }
  if (codes.includes('CRBBB'))
    s.push(
      pick(rng, [
        ['right bundle branch block', 6],
        ['complete right bundle branch block', 2],
        ['rbbb', 0.3],
      ]),
    );
  if (codes.includes('LVH')) {
    s.push(
      hedged(input, 'LVH')
        ? pick(
            rng,
            even(
              'voltages in chest leads are at upper limit, possible lvh',
              'possible left ventricular hypertrophy',
              'borderline voltage criteria for left ventricular hypertrophy',
            ),
          )
        : pick(rng, [
            ['voltages are high in chest leads suggesting lvh', 4],
            ['left ventricular hypertrophy', 2],
            ['voltages are high in limb leads suggesting lvh', 1],
            ['probable left ventricular hypertrophy', 1],
          ]),
    );
    if (findings.lvhStrain) {
      s.push(`st segments are depressed in ${pick(rng, LEAD_LISTS.lateral)}`);
      if (rng.chance(0.5)) s.push(`t waves are inverted in ${pick(rng, LEAD_LISTS.lateral)}`);
      s.push(
        pick(rng, [
          ['this may be due to lv strain or ischaemia', 4],
          ['consistent with lv strain', 1],
        ]),
      );
    }
  }
  s.push(...infarcts(input, rng));
  if (codes.includes('NORM')) {
    s.push(
      s.length > 1
        ? pick(rng, [
            ['otherwise normal ecg', 3],
            ['otherwise no definite pathology', 2],
          ])
        : pick(rng, [
            ['normal ecg', 5],
            ['no definite pathology', 3],
            ['within normal limits', 0.5],
          ]),
    );
  }
  if (codes.includes('SBRAD') && rng.chance(0.35)) s.push('the cause of the bradycardia is not evident');
  if (rng.chance(0.04)) s.push(pick(rng, even('unconfirmed report', '4.46 unconfirmed report')));
  const text = s.join('. ');
  return rng.chance(0.9) ? `${text}.` : text;
}
