/**
 * A case's draft report and its sign-off. Before sign-off: the draft in the chosen language, each
 * statement and code with a checkbox (ticked = kept) and where it came from, fields to add statements and
 * codes, and Accept / Sign edited / Reject for clinicians (viewers read it only). After: the signed
 * report (who, when, release, edit distance) and its FHIR R4 export.
 */
import { type ApiClient, ApiError } from './api-client.js';
import type { DraftReport, FhirDiagnosticReport, Role, SignOff, SignOffRequest } from './api-types.js';
import { caseLink } from './cases-view.js';
import { h, replaceChildren } from './dom.js';
import { formatPercent, formatScore, formatTime } from './format.js';
import { failurePanel, loadingPanel } from './panels.js';
import { canSign } from './view.js';

type Language = DraftReport['language'];
type Source = DraftReport['statements'][number]['sources'][number];

/** One checkbox of the form: a statement or a code, from the draft or added by the clinician. */
interface Choice {
  readonly value: string;
  readonly fromDraft: boolean;
  readonly box: HTMLInputElement;
}

function sourceItem(source: Source): HTMLElement {
  if (source.kind === 'prompt') return h('li', {}, `class prompt ${source.code}`);
  const [deviceId, seq] = source.caseRef?.split('/') ?? [];
  const ofCase = deviceId && seq && /^\d+$/.test(seq);
  return h(
    'li',
    {},
    `record ${source.recordId}`,
    ofCase && ' · case ',
    ofCase && caseLink({ deviceId, seq: Number(seq) }),
    ` · score ${formatScore(source.score)}`,
  );
}

function checkbox(id: string, label: string, checked: boolean, disabled: boolean): HTMLInputElement {
  return h('input', { type: 'checkbox', id, checked, disabled, 'aria-label': label });
}

function signedView(api: ApiClient, signOff: SignOff): (HTMLElement | null)[] {
  const rows: [string, string][] = [
    ['Decision', signOff.decision],
    ['Signed by', `${signOff.signedBy} (${signOff.role})`],
    ['Signed at', formatTime(signOff.signedAt)],
    ['Draft release', signOff.draftReleaseId],
    ['Language', signOff.language],
    ['Edit distance', String(signOff.editDistance)],
  ];
  const fhir = h('div', { class: 'fhir' });
  if (signOff.recordId !== null) {
    const recordId = signOff.recordId;
    const show = h('button', { type: 'button', class: 'secondary' }, 'Show FHIR export');
    show.addEventListener('click', () => {
      show.disabled = true;
      api.get<FhirDiagnosticReport>(`/records/${encodeURIComponent(recordId)}/fhir`).then(
        (report) => {
          const json = JSON.stringify(report, null, 2);
          const url = URL.createObjectURL(new Blob([json], { type: 'application/fhir+json' }));
          replaceChildren(
            fhir,
            h('a', { href: url, download: `${recordId}.fhir.json` }, 'Download FHIR R4 DiagnosticReport'),
            h('pre', { class: 'fhir-json', 'data-fhir': recordId }, json),
          );
        },
        (error: unknown) => replaceChildren(fhir, failurePanel('The FHIR export', error)),
      );
    });
    fhir.append(show);
  }
  return [
    h('p', { class: 'signed', role: 'status' }, `Signed off: ${signOff.decision}.`),
    h(
      'dl',
      { class: 'details', 'data-edit-distance': signOff.editDistance },
      ...rows.flatMap(([k, v]) => [h('dt', {}, k), h('dd', {}, v)]),
    ),
    h('h3', {}, 'Signed statements'),
    signOff.statements.length
      ? h('ul', { class: 'signed-statements' }, ...signOff.statements.map((s) => h('li', {}, s)))
      : h('p', {}, 'None (the draft was rejected).'),
    h('h3', {}, 'Signed codes'),
    h('p', {}, signOff.codes.length ? signOff.codes.join(', ') : 'None.'),
    signOff.recordId !== null ? h('p', {}, `Record ${signOff.recordId}`) : null,
    fhir,
  ];
}

/** The form over one draft; `onSigned` gets the stored sign-off. */
function draftForm(
  api: ApiClient,
  path: string,
  draft: DraftReport,
  role: Role,
  onSigned: (signOff: SignOff) => void,
): HTMLElement[] {
  const readOnly = !canSign(role);
  const statements: Choice[] = [];
  const codes: Choice[] = [];
  const statementList = h('ul', { class: 'draft-statements' });
  const codeRows = h('tbody', {});
  const feedback = h('p', { class: 'sign-feedback', role: 'alert' });

  draft.statements.forEach((statement, i) => {
    const box = checkbox(`draft-statement-${i}`, `Keep “${statement.text}”`, true, readOnly);
    statements.push({ value: statement.text, fromDraft: true, box });
    statementList.append(
      h(
        'li',
        { 'data-statement': statement.text },
        box,
        h('label', { for: box.id }, statement.text),
        h('span', { class: 'support' }, ` support ${formatPercent(statement.support)}`),
        h('ul', { class: 'provenance' }, ...statement.sources.map(sourceItem)),
      ),
    );
  });
  draft.codes.forEach((code, i) => {
    const box = checkbox(`draft-code-${i}`, `Keep code ${code.scp}`, true, readOnly);
    codes.push({ value: code.scp, fromDraft: true, box });
    codeRows.append(
      h(
        'tr',
        { 'data-code': code.scp },
        h('td', {}, box),
        h('td', {}, code.scp),
        h('td', {}, code.snomed ?? '—'),
        h('td', {}, code.display),
        h(
          'td',
          { class: 'num' },
          // A retrieval code's score is the neighbours' support, its threshold the least support.
          code.source === 'retrieval'
            ? `support ${formatPercent(code.score)} ≥ ${formatPercent(code.threshold)}`
            : `cosine ${formatScore(code.score)} ≥ ${formatScore(code.threshold)}`,
        ),
        h('td', {}, code.source),
      ),
    );
  });

  const meta = h(
    'p',
    { class: 'draft-meta', 'data-language': draft.language },
    `Drafted by release ${draft.releaseId} from its nearest stored reports`,
    draft.thresholdSource === 'none'
      ? '; the release stored no class thresholds, so no zero-shot codes.'
      : ` and zero-shot classes above thresholds chosen on the ${draft.thresholdSource} set.`,
  );
  const parts: HTMLElement[] = [
    meta,
    h('h3', {}, 'Statements'),
    draft.statements.length || !readOnly
      ? statementList
      : h('p', {}, 'No stored report is near enough to draft from.'),
    h('h3', {}, 'Codes'),
    h(
      'table',
      { class: 'draft-codes' },
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          ...['Keep', 'SCP-ECG', 'SNOMED CT', 'Display', 'Score vs threshold', 'Source'].map((t) =>
            h('th', { scope: 'col' }, t),
          ),
        ),
      ),
      codeRows,
    ),
  ];
  if (readOnly) {
    parts.push(
      h(
        'p',
        { class: 'panel unavailable' },
        `Signing off needs a clinician token; you are signed in as ${role}.`,
      ),
    );
    return parts;
  }

  const edited = () =>
    statements.some((c) => c.box.checked !== c.fromDraft) || codes.some((c) => c.box.checked !== c.fromDraft);
  const accept = h('button', { type: 'button' }, 'Accept');
  const signEdited = h('button', { type: 'button' }, 'Sign edited');
  const reject = h('button', { type: 'button', class: 'secondary' }, 'Reject');
  const refresh = () => {
    // The cloud answers an accept that differs from its draft with 400: only one of the two applies.
    accept.disabled = edited();
    signEdited.disabled = !edited();
  };
  for (const c of [...statements, ...codes]) c.box.addEventListener('change', refresh);

  const adder = (
    id: string,
    label: string,
    button: string,
    pattern: string | undefined,
    add: (value: string) => void,
  ) => {
    const input = h('input', { id, type: 'text', autocomplete: 'off', maxlength: 500, pattern });
    const form = h(
      'form',
      { class: 'add-row' },
      h('label', { for: id }, label),
      input,
      h('button', { type: 'submit', class: 'secondary' }, button),
    );
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      const value = input.value.trim();
      if (!value || !input.checkValidity()) return;
      add(value);
      input.value = '';
      refresh();
    });
    return form;
  };
  const addStatement = adder('add-statement', 'Add a statement', 'Add statement', undefined, (text) => {
    const box = checkbox(`added-statement-${statements.length}`, `Keep “${text}”`, true, false);
    box.addEventListener('change', refresh);
    statements.push({ value: text, fromDraft: false, box });
    statementList.append(
      h(
        'li',
        { 'data-statement': text, 'data-added': true },
        box,
        h('label', { for: box.id }, text),
        h('ul', { class: 'provenance' }, h('li', {}, 'added by you')),
      ),
    );
  });
  const addCode = adder('add-code', 'Add an SCP-ECG code', 'Add code', '[A-Za-z0-9_\\/]{1,32}', (scp) => {
    const box = checkbox(`added-code-${codes.length}`, `Keep code ${scp}`, true, false);
    box.addEventListener('change', refresh);
    codes.push({ value: scp, fromDraft: false, box });
    codeRows.append(
      h(
        'tr',
        { 'data-code': scp, 'data-added': true },
        h('td', {}, box),
        h('td', {}, scp),
        h('td', {}, '—'),
        h('td', {}, 'added by you'),
        h('td', { class: 'num' }, '—'),
        h('td', {}, 'clinician'),
      ),
    );
  });

  const sign = async (decision: SignOffRequest['decision']) => {
    const kept = (choices: Choice[]) => [
      ...new Set(choices.filter((c) => c.box.checked).map((c) => c.value)),
    ];
    const body: SignOffRequest = {
      decision,
      statements: decision === 'reject' ? [] : kept(statements),
      codes: decision === 'reject' ? [] : kept(codes),
      language: draft.language,
      draftReleaseId: draft.releaseId,
    };
    for (const b of [accept, signEdited, reject]) b.disabled = true;
    feedback.textContent = '';
    try {
      onSigned(await api.post<SignOff>(`${path}/sign-off`, body));
    } catch (error) {
      feedback.textContent =
        error instanceof ApiError && error.status === 409
          ? `Not signed: ${error.message} Reload the page to see the case as it stands.`
          : `Not signed: ${error instanceof ApiError ? `${error.code}: ${error.message}` : String(error)}`;
      reject.disabled = false;
      refresh();
    }
  };
  accept.addEventListener('click', () => void sign('accept'));
  signEdited.addEventListener('click', () => void sign('edit'));
  reject.addEventListener('click', () => void sign('reject'));
  refresh();
  parts.splice(3, 0, addStatement);
  parts.push(addCode, h('div', { class: 'sign-buttons' }, accept, signEdited, reject), feedback);
  return parts;
}

/** The draft report panel of case (`deviceId`, `seq`) for a session of `role`. */
export function draftPanel(
  api: ApiClient,
  deviceId: string,
  seq: number,
  role: Role,
  signedOff: Promise<boolean>,
): HTMLElement {
  const path = `/cases/${encodeURIComponent(deviceId)}/${seq}`;
  const panel = h('div', { class: 'draft' }, loadingPanel('the draft report'));
  const body = h('div', {});
  const language = h(
    'select',
    { id: 'draft-language' },
    h('option', { value: 'en' }, 'English'),
    h('option', { value: 'de' }, 'Deutsch'),
  );
  const showSigned = (signOff: SignOff) => replaceChildren(panel, ...signedView(api, signOff));
  const loadDraft = async () => {
    replaceChildren(body, loadingPanel('the draft report'));
    try {
      const draft = await api.get<DraftReport>(`${path}/draft?language=${language.value as Language}`);
      replaceChildren(body, ...draftForm(api, path, draft, role, showSigned));
    } catch (error) {
      replaceChildren(body, failurePanel('The draft report', error));
    }
  };
  language.addEventListener('change', () => void loadDraft());
  const showDraft = () => {
    replaceChildren(
      panel,
      h('div', { class: 'add-row' }, h('label', { for: language.id }, 'Draft language'), language),
      body,
    );
    void loadDraft();
  };
  // The case says whether it was signed off, so an unsigned case never asks for a sign-off it has not got.
  signedOff.then(
    (signed) => {
      if (!signed) return showDraft();
      api.get<SignOff>(`${path}/sign-off`).then(showSigned, (error: unknown) => {
        replaceChildren(panel, failurePanel('The sign-off', error));
      });
    },
    (error: unknown) => replaceChildren(panel, failurePanel('The case', error)),
  );
  return panel;
}
