import { describe, expect, it } from 'vitest';
import { deriveLabels, superclassMultiHot } from './labels.js';
import { parseScpStatements } from './scp-statements.js';

// A cut-down statement table: its rows copy PTB-XL's flags for these codes.
const STATEMENTS = parseScpStatements(
  [
    ',description,diagnostic,form,rhythm,diagnostic_class,diagnostic_subclass',
    'NORM,normal ECG,1.0,,,NORM,NORM',
    'IMI,inferior myocardial infarction,1.0,,,MI,IMI',
    'ASMI,anteroseptal myocardial infarction,1.0,,,MI,AMI',
    'NDT,non-diagnostic T abnormalities,1.0,1.0,,STTC,STTC',
    'LVH,left ventricular hypertrophy,1.0,,,HYP,LVH',
    'LAFB,left anterior fascicular block,1.0,,,CD,LAFB/LPFB',
    'ABQRS,abnormal QRS,,1.0,,,',
    'SR,sinus rhythm,,,1.0,,',
    'AFIB,atrial fibrillation,,,1.0,,',
  ].join('\n'),
);

describe('deriveLabels', () => {
  it('maps a normal record to NORM with its rhythm', () => {
    const l = deriveLabels({ NORM: 100, SR: 0 }, STATEMENTS);
    expect(l.superclasses).toEqual(['NORM']);
    expect(l.subclasses).toEqual(['NORM']);
    expect(l.diagnostic).toEqual(['NORM']);
    expect(l.rhythm).toEqual(['SR']);
    expect(l.form).toEqual([]);
  });

  it('collects several superclasses in canonical order and subclasses sorted', () => {
    // LAFB (CD) listed first, IMI and ASMI (MI), NDT (STTC, also form), LVH (HYP).
    const l = deriveLabels({ LAFB: 100, IMI: 50, ASMI: 15, NDT: 0, LVH: 35, ABQRS: 0, AFIB: 0 }, STATEMENTS);
    expect(l.superclasses).toEqual(['MI', 'STTC', 'CD', 'HYP']);
    expect(l.subclasses).toEqual(['AMI', 'IMI', 'LAFB/LPFB', 'LVH', 'STTC']);
    expect(l.form).toEqual(['NDT', 'ABQRS']);
    expect(l.rhythm).toEqual(['AFIB']);
  });

  it('keeps every diagnostic code by default and drops those under minLikelihood', () => {
    const codes = { IMI: 15, LVH: 100, NDT: 0, SR: 0 };
    expect(deriveLabels(codes, STATEMENTS).superclasses).toEqual(['MI', 'STTC', 'HYP']);
    const confident = deriveLabels(codes, STATEMENTS, { minLikelihood: 50 });
    expect(confident.superclasses).toEqual(['HYP']);
    expect(confident.diagnostic).toEqual(['LVH']);
    // Rhythm statements ignore the threshold: PTB-XL gives them likelihood 0 ("not stated").
    expect(confident.rhythm).toEqual(['SR']);
  });

  it('reports codes missing from the statement table instead of dropping them silently', () => {
    const l = deriveLabels({ NORM: 100, XYZ: 50 }, STATEMENTS);
    expect(l.unknown).toEqual(['XYZ']);
    expect(l.superclasses).toEqual(['NORM']);
  });

  it('gives no superclass for a record with only rhythm codes', () => {
    expect(deriveLabels({ AFIB: 0 }, STATEMENTS).superclasses).toEqual([]);
  });
});

describe('superclassMultiHot', () => {
  it('sets one slot per superclass in NORM, MI, STTC, CD, HYP order', () => {
    expect([...superclassMultiHot(['MI', 'HYP'])]).toEqual([0, 1, 0, 0, 1]);
    expect([...superclassMultiHot([])]).toEqual([0, 0, 0, 0, 0]);
  });
});
