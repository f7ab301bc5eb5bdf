import { MODELLED_CODES } from '@heartline/ecg/synth';
import { InvalidArgumentError } from '../errors.js';

/** Languages the prompts are written in (PTB-XL's two main report languages). */
export type PromptLanguage = 'en' | 'de';

/** The phrases describing one class, per language, already in normalised report form (lower case). */
export interface ClassPrompts {
  readonly en: readonly string[];
  readonly de: readonly string[];
}

/**
 * Zero-shot class descriptions: for each class code, several synonyms and phrasings in English and
 * German, worded the way PTB-XL's cardiologists and its interpretation program write (`lagetyp`,
 * `st & t abnorm`, `mässige amplitudenkriterien`, Swiss `ss`). A class's text embedding is the mean of
 * its phrases' embeddings, as in MERL's prompt sets; more phrasings make that mean less sensitive to any
 * one wording. Keys are SCP-ECG codes, plus PTB-XL's diagnostic superclasses.
 *
 * The phrases of the codes the synthetic generator models use only words its reports (and PTB-XL's) use:
 * a word no training report has keeps its initial random embedding, and a phrasing no report has
 * (`normal trace`, `slow sinus rhythm`, `pvcs`) pulls the class mean away from the reports it should
 * match. A unit test checks this against the generator's reports.
 */
export const CLASS_PROMPTS: Readonly<Record<string, ClassPrompts>> = {
  // Diagnostic superclasses.
  NORM: {
    en: ['normal ecg', 'no definite pathology', 'otherwise normal ecg', 'within normal limits'],
    de: ['normales ekg', 'sonst normales ekg', 'lagetyp normal normales ekg'],
  },
  MI: {
    en: [
      'myocardial infarction',
      'old myocardial infarction',
      'q waves consistent with old infarction',
      'infarction, the age of the changes is uncertain',
      'infarction probably old',
    ],
    de: [
      'infarkt',
      'alter infarkt',
      'infarkt wahrscheinlich alt',
      'myokardschaden',
      'infarkt, alter unbest.',
    ],
  },
  STTC: {
    en: [
      'st-t changes',
      'non-specific st-t wave changes',
      'st segments are depressed',
      't waves are inverted',
      'st-t changes consistent with ischaemia',
    ],
    de: [
      'st & t abnorm',
      'st-senkung',
      'unspezifische st-t veränderungen',
      'ischämie oder linksbelastung',
      'repolarisationsstörung',
    ],
  },
  CD: {
    en: [
      'conduction disturbance',
      'bundle branch block',
      'left anterior fascicular block',
      'intraventricular conduction delay',
      'av block',
    ],
    de: [
      'leitungsstörung',
      'schenkelblock',
      'linksanteriorer hemiblock',
      'intraventrikuläre leitungsstörung',
      'av-block',
    ],
  },
  HYP: {
    en: [
      'ventricular hypertrophy',
      'left ventricular hypertrophy',
      'voltages suggesting hypertrophy',
      'high voltage in chest leads',
      'atrial enlargement',
    ],
    de: [
      'hypertrophie',
      'linkshypertrophie',
      'mässige amplitudenkriterien für linkshypertrophie',
      'rechtshypertrophie',
      'vorhofbelastung',
    ],
  },

  // Rhythm statements.
  SR: {
    en: ['sinus rhythm', 'normal sinus rhythm'],
    de: ['sinusrhythmus', 'normofrequenter sinusrhythmus', 'sinusrhythmus, normofrequent'],
  },
  AFIB: {
    en: [
      'atrial fibrillation',
      'atrial fibrillation with rapid ventricular response',
      'atrial fibrillation with controlled ventricular response',
    ],
    de: [
      'vorhofflimmern',
      'tachykardes vorhofflimmern',
      'absolute arrhythmie bei vorhofflimmern',
      'vorhofflimmern/-flattern',
    ],
  },
  AFLT: {
    en: [
      'atrial flutter',
      'atrial flutter with variable av block',
      'flutter waves',
      'atrial flutter with 2:1 conduction',
    ],
    de: [
      'vorhofflattern',
      'vorhofflattern mit wechselnder überleitung',
      'flatterwellen',
      'vorhofflattern mit 2:1 überleitung',
    ],
  },
  STACH: {
    en: ['sinus tachycardia'],
    de: ['sinustachykardie', 'tachykarder sinusrhythmus'],
  },
  SBRAD: {
    en: ['sinus bradycardia', 'marked sinus bradycardia', 'the cause of the bradycardia is not evident'],
    de: ['sinusbradykardie', 'bradykarder sinusrhythmus'],
  },
  SARRH: {
    en: ['sinus arrhythmia', 'sinus rhythm with sinus arrhythmia', 'respiratory sinus arrhythmia'],
    de: ['sinusarrhythmie', 'sinus arrhythmie', 'respiratorische sinusarrhythmie'],
  },
  SVARR: {
    en: ['supraventricular arrhythmia', 'supraventricular premature beats', 'atrial premature complexes'],
    de: [
      'supraventrikuläre arrhythmie',
      'supraventrikuläre extrasystolen',
      'supraventrikuläre extrasystolie',
    ],
  },
  SVTAC: {
    en: ['supraventricular tachycardia', 'rapid supraventricular tachycardia', 'narrow complex tachycardia'],
    de: [
      'supraventrikuläre tachykardie',
      'tachykardie mit schmalen kammerkomplexen',
      'regelmässige supraventrikuläre tachykardie',
    ],
  },
  PSVT: {
    en: [
      'paroxysmal supraventricular tachycardia',
      'paroxysmal svt',
      'episodes of supraventricular tachycardia',
    ],
    de: [
      'paroxysmale supraventrikuläre tachykardie',
      'paroxysmale svt',
      'anfallsweise supraventrikuläre tachykardie',
    ],
  },
  BIGU: {
    en: ['ventricular bigeminy', 'premature ventricular contractions in bigeminy', 'bigeminy'],
    de: ['bigeminus', 'ventrikuläre extrasystolen im bigeminus', 'ventrikulärer bigeminus'],
  },
  TRIGU: {
    en: ['trigeminy', 'ventricular trigeminy', 'premature contractions in trigeminy'],
    de: ['trigeminus', 'extrasystolen im trigeminus', 'ventrikulärer trigeminus'],
  },
  PACE: {
    en: ['pacemaker rhythm', 'paced rhythm', 'pacemaker spikes noted', 'ventricular pacing'],
    de: [
      'schrittmacher-ekg',
      'schrittmacherrhythmus',
      'schrittmacherstimulation',
      'ventrikuläre stimulation',
    ],
  },

  // Statements the synthetic generator models (besides NORM and the rhythms above).
  '1AVB': {
    en: ['first degree av block', 'prolonged pr interval', 'first degree heart block'],
    de: ['a-v block i', 'av-block 1. grades', 'av-block i. grades', 'pq-verlängerung (av-block i)'],
  },
  CLBBB: {
    en: ['left bundle branch block', 'complete left bundle branch block', 'lbbb'],
    de: ['linksschenkelblock', 'kompletter linksschenkelblock', 'vollständiger linksschenkelblock', 'lsb'],
  },
  CRBBB: {
    en: ['right bundle branch block', 'complete right bundle branch block', 'rbbb'],
    de: ['rechtsschenkelblock', 'kompletter rechtsschenkelblock', 'vollständiger rechtsschenkelblock', 'rsb'],
  },
  AMI: {
    en: [
      'anterior myocardial infarction',
      'old anterior infarct',
      'anterior myocardial infarction of uncertain age',
    ],
    de: ['anteriorer infarkt', 'vorderwandinfarkt', 'ausgedehnter vorderwandinfarkt'],
  },
  ASMI: {
    en: [
      'anteroseptal myocardial infarction',
      'old anteroseptal infarct',
      'anteroseptal myocardial infarction of uncertain age',
    ],
    de: ['anteroseptaler infarkt', 'anteroseptaler myokardschaden', 'septaler infarkt'],
  },
  IMI: {
    en: [
      'inferior myocardial infarction',
      'old inferior infarct',
      'inferior myocardial infarction of uncertain age',
    ],
    de: ['inferiorer infarkt', 'hinterwandinfarkt', 'inferiorer myokardschaden'],
  },
  LVH: {
    en: [
      'left ventricular hypertrophy',
      'voltages are high in chest leads suggesting lvh',
      'possible left ventricular hypertrophy',
    ],
    de: [
      'linkshypertrophie',
      'linksventrikuläre hypertrophie',
      'mässige amplitudenkriterien für linkshypertrophie',
      'sokolow-index positiv, linkshypertrophie',
    ],
  },
  PVC: {
    en: [
      'premature ventricular contraction(s)',
      'ventricular extrasystoles',
      'ventricular premature complexes',
    ],
    de: [
      'ventrikuläre extrasystole(n)',
      'ventrikuläre extrasystolen',
      'vereinzelte ventrikuläre extrasystolen',
    ],
  },
};

/** Names of the class sets zero-shot evaluation scores against. */
export type ClassSetName = 'superclass' | 'rhythm' | 'synthetic';

/**
 * The class codes of each set, in evaluation order: PTB-XL's five diagnostic superclasses, its twelve
 * rhythm statements, and the SCP codes the synthetic generator models.
 */
export const CLASS_SETS: Readonly<Record<ClassSetName, readonly string[]>> = {
  superclass: ['NORM', 'MI', 'STTC', 'CD', 'HYP'],
  rhythm: [
    'SR',
    'AFIB',
    'AFLT',
    'STACH',
    'SBRAD',
    'SARRH',
    'SVARR',
    'SVTAC',
    'PSVT',
    'BIGU',
    'TRIGU',
    'PACE',
  ],
  synthetic: MODELLED_CODES,
};

/** The phrases for one class in the given languages (English first); throws for a code without prompts. */
export function promptsFor(code: string, languages: readonly PromptLanguage[] = ['en', 'de']): string[] {
  const prompts = CLASS_PROMPTS[code];
  if (!prompts)
    throw new InvalidArgumentError(
      'code',
      code,
      `has no class prompts; known: ${Object.keys(CLASS_PROMPTS).join(', ')}`,
    );
  return languages.flatMap((language) => prompts[language]);
}
