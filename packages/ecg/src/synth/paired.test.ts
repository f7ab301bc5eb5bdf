import { describe, expect, it } from 'vitest';
import { parseCsv } from '../data/csv.js';
import { parsePtbxlDatabase } from '../data/ptbxl-database.js';
import { parseScpStatements } from '../data/scp-statements.js';
import { generatePaired, modelledSubset } from './paired.js';

describe('modelledSubset', () => {
  it('keeps modelled codes, lists unknown ones and drops NORM next to AFIB', () => {
    expect(modelledSubset({ NORM: 100, LVOLT: 0, SR: 0 })).toEqual({
      modelled: ['SR', 'NORM'],
      notModelled: ['LVOLT'],
    });
    const af = modelledSubset({ AFIB: 0, NORM: 50, CLBBB: 100, IRBBB: 100 });
    expect(af.modelled).toEqual(['AFIB', 'CLBBB']);
    expect(af.notModelled.sort()).toEqual(['IRBBB', 'NORM']);
  });
});

describe('generatePaired', () => {
  const rows = [
    { ecgId: 17, report: 'sinusrhythmus linkstyp linksschenkelblock', scpCodes: { CLBBB: 100, SR: 0 } },
    {
      ecgId: 1203,
      report: 'atrial fibrillation. left axis deviation, "quoted".',
      scpCodes: { AFIB: 0, LAFB: 100 },
    },
  ];
  const paired = generatePaired(rows, 3, { seconds: 4 });

  it('keeps the real ecg_id, report text and scp_codes in the database CSV', () => {
    const table = parseCsv(paired.files.get('ptbxl_database.csv') as string);
    const col = (name: string) => table.header.indexOf(name);
    expect(table.rows.map((r) => r[col('ecg_id')])).toEqual(['17', '1203']);
    expect(table.rows.map((r) => r[col('report')])).toEqual(rows.map((r) => r.report));
    expect(table.rows[1]?.[col('scp_codes')]).toBe("{'LAFB': 100.0, 'AFIB': 0.0}");
    expect(table.rows[1]?.[col('filename_hr')]).toBe('records500/01000/01203_hr');
  });

  it('reports the codes it could not model per row', () => {
    expect(paired.rows).toEqual([
      { ecgId: 17, modelled: ['SR', 'CLBBB'], notModelled: [] },
      { ecgId: 1203, modelled: ['AFIB'], notModelled: ['LAFB'] },
    ]);
    expect(paired.files.get('synth_pairing.csv')).toContain('1203,AFIB,LAFB');
  });

  it('writes a 500 Hz and a 100 Hz record per row', () => {
    expect((paired.files.get('records500/00000/00017_hr.dat') as Uint8Array).length).toBe(12 * 2000 * 2);
    expect((paired.files.get('records100/01000/01203_lr.dat') as Uint8Array).length).toBe(12 * 400 * 2);
  });

  it('copies the source statement rows of codes it does not model, so their labels survive', () => {
    // LAFB is not modelled; its PTB-XL statement row (diagnostic, class CD, subclass LAFB/LPFB) is given.
    const lafb = [
      'LAFB',
      'left anterior fascicular block',
      '1.0',
      '',
      '',
      'CD',
      'LAFB/LPFB',
      'x',
      'x',
      '',
      '',
      '',
      '',
    ];
    const withSource = generatePaired(rows, 3, { seconds: 4, sourceStatements: new Map([['LAFB', lafb]]) });
    const statementsText = withSource.files.get('scp_statements.csv') as string;
    expect(parseCsv(statementsText).rows.map((r) => r[0])).toContain('LAFB');
    const statements = parseScpStatements(statementsText);
    const records = parsePtbxlDatabase(withSource.files.get('ptbxl_database.csv') as string, statements);
    const afRow = records.find((r) => r.ecgId === 1203)!;
    expect(afRow.labels.superclasses).toEqual(['CD']);
    expect(afRow.labels.subclasses).toEqual(['LAFB/LPFB']);
    // Without the source rows the code stays in scp_codes but is unknown to the written table.
    const bare = parseScpStatements(paired.files.get('scp_statements.csv') as string);
    const bareRecords = parsePtbxlDatabase(paired.files.get('ptbxl_database.csv') as string, bare);
    expect(bareRecords.find((r) => r.ecgId === 1203)!.labels.unknown).toContain('LAFB');
  });
});
