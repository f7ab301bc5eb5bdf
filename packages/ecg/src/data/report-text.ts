/** Language of a report. PTB-XL is mostly German and English, with a few Swedish machine reports. */
export type ReportLanguage = 'de' | 'en' | 'sv' | 'unknown';

/** One report prepared for the text side: raw, normalised, language and the boilerplate pulled out of it. */
export interface ReportText {
  /** The report exactly as the dataset has it. */
  readonly raw: string;
  /** Normalised text with boilerplate and the edit note removed: what tokenizers and text encoders see. */
  readonly text: string;
  /** Detected language of `text`. */
  readonly language: ReportLanguage;
  /** True when the report carried "unbestätigter bericht" / "unconfirmed report" (or a truncated form). */
  readonly unconfirmed: boolean;
  /**
   * The cardiologist's `Edit: …` note (normalised), when present. Kept apart because it often lists the
   * SCP codes themselves (`Edit: NORM 100, (NORM 100)`), which would leak labels into the text.
   */
  readonly editNote: string | undefined;
}

// UTF-8 bytes read as Latin-1/CP1252 ("Ã¤" for "ä"); not in PTB-XL's own CSV but common in re-saved copies.
const DOUBLE_ENCODED: readonly [string, string][] = [
  ['Ã¤', 'ä'],
  ['Ã¶', 'ö'],
  ['Ã¼', 'ü'],
  ['Ã„', 'Ä'],
  ['Ã–', 'Ö'],
  ['Ãœ', 'Ü'],
  ['ÃŸ', 'ß'],
  ['Ã¥', 'å'],
  ['Ã©', 'é'],
];

/**
 * Normalises report text: repairs double-encoded UTF-8, lower-cases (which also repairs PTB-XL's
 * upper-case umlauts inside lower-case words: `verlÄngerung` → `verlängerung`, `Ålder` → `ålder`),
 * writes `ß` as `ss` (PTB-XL spells German the Swiss way, `auszuschliessen`, `mässige`, so one spelling
 * per word), drops the stray Latin-1 symbols of garbled box drawing (`ó¬`, `ó©`), and collapses whitespace.
 */
export function normaliseReportText(raw: string): string {
  let s = raw.normalize('NFC');
  if (s.includes('Ã')) for (const [bad, good] of DOUBLE_ENCODED) s = s.replaceAll(bad, good);
  s = s.toLowerCase().replaceAll('ß', 'ss');
  // Garbled box drawing shows up as 'ó' + a Latin-1 symbol (U+00A1–U+00BF); no report means either.
  s = s.replace(/ó?[\u00a1-\u00bf]/g, ' ');
  return s.replace(/\s+/g, ' ').trim();
}

// The machine's program version ("4.46") precedes the German flag; reports cut at a fixed length leave
// truncated flags ("unbestäti"), which only count at the very end so "alter unbest." (age unknown) stays.
const UNCONFIRMED_DE =
  /\s*\bunbestä(?:t(?:i(?:g(?:t(?:er)?)?)?)?)?(?:\s+b(?:e(?:r(?:i(?:c(?:ht?)?)?)?)?)?)?\s*$/;
// The interpretation program's version ("4.46") that precedes the flag, or ends a report on its own.
const PROGRAM_VERSION = /\s*\b\d\.\d\d\s*$/;
const UNCONFIRMED_ANYWHERE = /\bunbestätigter bericht\b|\bunconfirmed report\b\.?/g;
const EDIT_NOTE = /\bedit:(.*)$/;

/** Normalises a report, pulls out the "unconfirmed" flag and the edit note, and detects its language. */
export function analyseReport(raw: string): ReportText {
  let s = normaliseReportText(raw);
  let editNote: string | undefined;
  const edit = EDIT_NOTE.exec(s);
  if (edit) {
    editNote = edit[1]!.trim();
    s = s.slice(0, edit.index);
  }
  let unconfirmed = false;
  const stripped = s.replace(UNCONFIRMED_ANYWHERE, ' ');
  if (stripped !== s) unconfirmed = true;
  s = stripped.trim();
  const truncated = s.replace(UNCONFIRMED_DE, '');
  if (truncated !== s) unconfirmed = true;
  s = truncated.replace(PROGRAM_VERSION, '').replace(/\s+/g, ' ').trim();
  return { raw, text: s, language: detectReportLanguage(s), unconfirmed, editNote };
}

// Function words and ECG vocabulary typical of each language's reports. Words shared across languages
// ("infarkt", "ekg", "block", "inferior") are left out so they do not vote.
const WORDS: Record<Exclude<ReportLanguage, 'unknown'>, ReadonlySet<string>> = {
  de: new Set(
    (
      'sinusrhythmus lagetyp linkstyp rechtstyp steiltyp linkslagetyp steillagetyp vorhofflimmern vorhofflattern ' +
      'normales pathologisches pathologisch path wahrscheinlich möglich mögl nicht und oder bei mit auf der die das ' +
      'des im ist sonst abnormal abnorm unvollständiger vollständiger unspezifischer unspezifisches unspezifische ' +
      'niederspannung periphere ischämie linksbelastung rechtsbelastung linkshypertrophie rechtsschenkelblock ' +
      'linksschenkelblock schenkelblock hemiblock ableitungen verdacht grenzbefund alter alt hebung senkung ' +
      'st-hebung st-senkung veränderungen verlängerung störung leitungsstörung myokardschaden auszuschliessen ' +
      'überdrehter ueberdrehter extrasystolen extrasystole tachykardes bradykardes sinusbradykardie ' +
      'sinustachykardie sinusarrhythmie vorhofsüberlastung bericht kammerhypertrophie infarktes abnormes normal' +
      ' schrittmacher arrhythmie ventrikuläre supraventrikuläre'
    ).split(' '),
  ),
  en: new Set(
    (
      'the of and or in is are be to with no otherwise sinus rhythm definite pathology normal ecg axis deviation ' +
      'left right bundle branch atrial fibrillation flutter ventricular hypertrophy myocardial infarction waves wave ' +
      'leads lead voltage voltages consistent possible probable probably old likely may this these due suggesting ' +
      'suggest segments segment depressed depression inverted flat flattening low high minor non-specific changes ' +
      'premature contraction contractions complexes tachycardia bradycardia arrhythmia incomplete complete ' +
      'requested trace only findings heart disease strain ischaemia ischaemic prolonged interval block'
    ).split(' '),
  ),
  sv: new Set(
    (
      'sinusrytm vänster höger förlopp förändring sänkning såsom vid eller ej kan inte avvikande el-axel ' +
      'förmaksflimmer förmaksflimmer/-fladder skänkelblock sannolikt ålder möjligen uteslutas bör övervägas och ' +
      'med som fanns på kammarhypertrofi myokardaffektion ischemi belastning sinustakykardi sinustachykardi ' +
      'sinusbradykardi extremitetsavledningarna låga amplituder misstänkt inkomplett ospecifikt vänstersidigt ' +
      'högersidigt bestämmbar normalt eljest myokardskada fördröjd förlängd avledningar'
    ).split(' '),
  ),
};

/**
 * Detects the language of a (normalised) report with a scored word list: each known word votes for its
 * language, `å` is a strong Swedish cue, `ß` a German one, and a German compound stem (`…rhythmus`,
 * `…typ`, `…ung`) votes German. Returns `'unknown'` when nothing votes or the top two tie.
 */
export function detectReportLanguage(text: string): ReportLanguage {
  const score = { de: 0, en: 0, sv: 0 };
  for (const word of text.toLowerCase().match(/[a-zäöüåßé][a-zäöüåßé/-]*/g) ?? []) {
    if (WORDS.de.has(word)) score.de += 1;
    if (WORDS.en.has(word)) score.en += 1;
    if (WORDS.sv.has(word)) score.sv += 1;
    if (word.includes('å')) score.sv += 2;
    if (word.includes('ß')) score.de += 2;
    if (/(?:rhythmus|lagetyp|ungen|störung|flimmern|ierung)$/.test(word)) score.de += 1;
    if (/(?:tion|ness)$/.test(word)) score.en += 1;
  }
  const ranked = (Object.entries(score) as [Exclude<ReportLanguage, 'unknown'>, number][]).sort(
    (a, b) => b[1] - a[1],
  );
  const [first, second] = ranked;
  if (first![1] === 0 || first![1] === second![1]) return 'unknown';
  return first![0];
}
