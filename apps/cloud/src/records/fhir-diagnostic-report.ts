/**
 * Clinical records from FHIR R4 `DiagnosticReport` resources (single or in a `Bundle`): subject →
 * patient, `effectiveDateTime`/`effectivePeriod.start` → time, `conclusion` or a text/plain
 * `presentedForm` → text, `conclusionCode` and `code` codings → codes, first identifier → study.
 */
import { BadRequestError } from '../errors.js';
import type { RecordInput } from './record-input.js';

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function codings(concepts: unknown): string[] {
  const list = Array.isArray(concepts) ? concepts : isObject(concepts) ? [concepts] : [];
  const codes: string[] = [];
  for (const concept of list) {
    if (!isObject(concept) || !Array.isArray(concept['coding'])) continue;
    for (const coding of concept['coding']) {
      if (isObject(coding) && typeof coding['code'] === 'string') codes.push(coding['code']);
    }
  }
  return codes;
}

function presentedText(forms: unknown): string | undefined {
  if (!Array.isArray(forms)) return undefined;
  for (const form of forms) {
    if (!isObject(form) || typeof form['data'] !== 'string') continue;
    const type = typeof form['contentType'] === 'string' ? form['contentType'] : 'text/plain';
    if (!type.startsWith('text/plain')) continue;
    return Buffer.from(form['data'], 'base64').toString('utf8');
  }
  return undefined;
}

function fromReport(resource: unknown, where: string, problems: string[]): RecordInput | undefined {
  if (!isObject(resource) || resource['resourceType'] !== 'DiagnosticReport') {
    problems.push(`${where}: not a DiagnosticReport`);
    return undefined;
  }
  const text =
    typeof resource['conclusion'] === 'string'
      ? resource['conclusion']
      : presentedText(resource['presentedForm']);
  if (!text?.trim()) problems.push(`${where}: needs conclusion or a text/plain presentedForm`);
  const subject = isObject(resource['subject']) ? resource['subject']['reference'] : undefined;
  const patientId = typeof subject === 'string' ? subject.replace(/^Patient\//, '') : undefined;
  const period = isObject(resource['effectivePeriod']) ? resource['effectivePeriod']['start'] : undefined;
  const effective = resource['effectiveDateTime'] ?? period;
  if (effective !== undefined && (typeof effective !== 'string' || Number.isNaN(Date.parse(effective)))) {
    problems.push(`${where}: effective time ${JSON.stringify(effective)} is not a FHIR dateTime`);
  }
  const identifier = Array.isArray(resource['identifier']) ? resource['identifier'][0] : undefined;
  const studyId =
    isObject(identifier) && typeof identifier['value'] === 'string' ? identifier['value'] : undefined;
  const id = typeof resource['id'] === 'string' ? `fhir-${resource['id']}` : undefined;
  if (!text?.trim() || problems.length) return undefined;
  return {
    ...(id ? { id } : {}),
    ...(patientId ? { patientId } : {}),
    ...(studyId ? { studyId } : {}),
    ...(typeof effective === 'string' ? { effective } : {}),
    text,
    codes: [...codings(resource['conclusionCode']), ...codings(resource['code'])],
  };
}

/** Records in a DiagnosticReport or a Bundle of them; BadRequestError lists every problem found. */
export function recordsFromFhir(resource: unknown): RecordInput[] {
  const problems: string[] = [];
  const records: RecordInput[] = [];
  if (isObject(resource) && resource['resourceType'] === 'Bundle') {
    const entries = Array.isArray(resource['entry']) ? resource['entry'] : [];
    if (entries.length === 0) problems.push('Bundle has no entry');
    entries.forEach((entry, i) => {
      const record = fromReport(isObject(entry) ? entry['resource'] : undefined, `entry[${i}]`, problems);
      if (record) records.push(record);
    });
  } else {
    const record = fromReport(resource, 'resource', problems);
    if (record) records.push(record);
  }
  if (problems.length) throw new BadRequestError('not a valid FHIR R4 DiagnosticReport', problems);
  return records;
}
