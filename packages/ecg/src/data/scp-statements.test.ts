import { describe, expect, it } from 'vitest';
import { CsvError } from '../errors.js';
import { parseScpStatements } from './scp-statements.js';

const HEADER =
  ',description,diagnostic,form,rhythm,diagnostic_class,diagnostic_subclass,Statement Category,' +
  'SCP-ECG Statement Description,AHA code,aECG REFID,CDISC Code,DICOM Code';

const TABLE = [
  HEADER,
  'NDT,non-diagnostic T abnormalities,1.0,1.0,,STTC,STTC,other ST-T descriptive statements,non-diagnostic T abnormalities,,,,',
  'IMI,inferior myocardial infarction,1.0,,,MI,IMI,Myocardial Infarction,inferior myocardial infarction,161,,,',
  'LAFB,left anterior fascicular block,1.0,,,CD,LAFB/LPFB,Conduction,left anterior fascicular block,101,MDC_X,C62267,D3-33140',
  'SR,sinus rhythm,,,1.0,,,"Statements related to impulse formation (abnormalities)",sinus rhythm,20,MDC_ECG_RHY_SINUS_RHY,,',
  'LVOLT,low QRS voltages in the frontal and horizontal leads,,1.0,,,,Other,low QRS voltages,,,,',
].join('\n');

describe('parseScpStatements', () => {
  it('reads codes from the unnamed first column with their flags and classes', () => {
    const t = parseScpStatements(TABLE);
    expect([...t.keys()]).toEqual(['NDT', 'IMI', 'LAFB', 'SR', 'LVOLT']);
    expect(t.get('NDT')).toMatchObject({
      diagnostic: true,
      form: true,
      rhythm: false,
      diagnosticClass: 'STTC',
    });
    expect(t.get('LAFB')).toMatchObject({
      diagnosticClass: 'CD',
      diagnosticSubclass: 'LAFB/LPFB',
      ahaCode: '101',
      cdiscCode: 'C62267',
      dicomCode: 'D3-33140',
    });
    expect(t.get('SR')).toMatchObject({
      diagnostic: false,
      rhythm: true,
      diagnosticClass: undefined,
      category: 'Statements related to impulse formation (abnormalities)',
      aecgRefId: 'MDC_ECG_RHY_SINUS_RHY',
    });
    expect(t.get('LVOLT')).toMatchObject({ diagnostic: false, form: true, ahaCode: undefined });
  });

  it('throws CsvError listing the missing columns', () => {
    // Input tried: a table without the 'rhythm' and 'diagnostic_class' columns.
    const text = ',description,diagnostic,form,diagnostic_subclass\nIMI,x,1.0,,IMI\n';
    expect(() => parseScpStatements(text, 's.csv')).toThrow(CsvError);
    expect(() => parseScpStatements(text, 's.csv')).toThrow(/'rhythm', 'diagnostic_class'/);
  });

  it('throws CsvError for an unknown superclass', () => {
    // Input tried: diagnostic_class 'XYZ' on line 2.
    const text = `${HEADER}\nIMI,x,1.0,,,XYZ,IMI,,,,,,\n`;
    expect(() => parseScpStatements(text, 's.csv')).toThrow(
      /s\.csv: line 2: diagnostic_class of 'IMI' is 'XYZ'/,
    );
  });

  it('throws CsvError for a repeated code and a flag that is not 1.0', () => {
    // Inputs tried: IMI twice; diagnostic = 'yes'.
    expect(() =>
      parseScpStatements(`${HEADER}\nIMI,x,1.0,,,MI,IMI,,,,,,\nIMI,x,1.0,,,MI,IMI,,,,,,\n`),
    ).toThrow(/line 3: statement code 'IMI' repeated/);
    expect(() => parseScpStatements(`${HEADER}\nIMI,x,yes,,,MI,IMI,,,,,,\n`)).toThrow(
      /'diagnostic' of 'IMI' is "yes"/,
    );
  });
});
