import { describe, expect, it } from 'vitest';
import { BadRequestError } from '../errors.js';
import { recordsFromFhir } from './fhir-diagnostic-report.js';

const report = {
  resourceType: 'DiagnosticReport',
  id: 'r1',
  identifier: [{ value: 'study-7' }],
  subject: { reference: 'Patient/123' },
  effectivePeriod: { start: '2026-01-02T03:04:05Z' },
  presentedForm: [
    { contentType: 'text/plain; charset=utf-8', data: Buffer.from('Sinusrhythmus').toString('base64') },
  ],
  conclusionCode: [{ coding: [{ code: 'SR' }, { code: 'NORM' }] }],
};

describe('recordsFromFhir', () => {
  it('reads patient, period start, study, presented text and codes from a DiagnosticReport', () => {
    expect(recordsFromFhir(report)).toEqual([
      {
        id: 'fhir-r1',
        patientId: '123',
        studyId: 'study-7',
        effective: '2026-01-02T03:04:05Z',
        text: 'Sinusrhythmus',
        codes: ['SR', 'NORM'],
      },
    ]);
  });

  it('prefers conclusion over presentedForm and reads every entry of a Bundle', () => {
    const records = recordsFromFhir({
      resourceType: 'Bundle',
      entry: [{ resource: report }, { resource: { ...report, id: 'r2', conclusion: 'normal ecg' } }],
    });
    expect(records.map((r) => r.text)).toEqual(['Sinusrhythmus', 'normal ecg']);
  });

  it('lists every problem of a Bundle holding a Patient and a report without text', () => {
    try {
      recordsFromFhir({
        resourceType: 'Bundle',
        entry: [
          { resource: { resourceType: 'Patient' } },
          { resource: { resourceType: 'DiagnosticReport' } },
        ],
      });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(BadRequestError);
      expect((error as BadRequestError).problems).toEqual([
        'entry[0]: not a DiagnosticReport',
        'entry[1]: needs conclusion or a text/plain presentedForm',
      ]);
    }
  });

  it('refuses an effectiveDateTime of "soon"', () => {
    expect(() =>
      recordsFromFhir({ ...report, effectivePeriod: undefined, effectiveDateTime: 'soon' }),
    ).toThrow(/not a FHIR dateTime/);
  });
});
