// The registry console: plain DOM over the registry's read APIs (registry/console/useConsole.ts).
// Read-only by design; every change goes through the gatehouse CLI.

const TOKEN_KEY = 'gatehouse.adminToken';
const $ = (selector) => document.querySelector(selector);

function cell(text) {
  const td = document.createElement('td');
  td.textContent = text ?? '';
  return td;
}
function row(cells) {
  const tr = document.createElement('tr');
  for (const c of cells) tr.append(typeof c === 'string' || c === null || c === undefined ? cell(c) : c);
  return tr;
}
function when(iso) {
  return iso ? new Date(iso).toLocaleString() : '';
}
async function getJson(path, headers = {}) {
  const response = await fetch(path, { headers: { accept: 'application/json', ...headers } });
  const body = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(body.error ?? `${path} answered ${response.status}`);
  return body;
}
function showStatus(message) {
  $('#status').textContent = message;
}

async function loadSubgraphs() {
  const { revision, subgraphs } = await getJson('/v1/subgraphs');
  $('#revision').textContent = `(revision ${revision})`;
  const body = $('[data-testid="subgraphs"] tbody');
  body.replaceChildren(
    ...subgraphs.map((s) => {
      const tr = row([s.name, s.url, s.owner, s.kind, s.publishedBy, when(s.publishedAt), String(s.revision)]);
      tr.classList.add('selectable');
      tr.dataset.subgraph = s.name;
      tr.classList.toggle('selected', s.name === selected);
      tr.addEventListener('click', () => void showSubgraph(s.name).catch((e) => showStatus(e.message)));
      return tr;
    }),
  );
}

let selected = null;

async function showSubgraph(name) {
  const { history } = await getJson(`/v1/subgraphs/${encodeURIComponent(name)}`);
  selected = name;
  for (const tr of document.querySelectorAll('[data-subgraph]')) tr.classList.toggle('selected', tr.dataset.subgraph === name);
  const section = $('#subgraph');
  section.hidden = false;
  section.querySelector('.name').textContent = name;
  $('[data-testid="history"] tbody').replaceChildren(...history.map((h) => row([String(h.revision), h.action, h.by, when(h.at), h.url])));
  const revisions = history.map((h) => String(h.revision));
  for (const [field, pick] of [
    ['from', revisions.length - 2],
    ['to', revisions.length - 1],
  ]) {
    const select = $(`#diff-form select[name="${field}"]`);
    select.replaceChildren(...revisions.map((r) => new Option(r, r)));
    select.value = revisions[Math.max(0, pick)] ?? '';
  }
  $('#diff').hidden = true;
  section.scrollIntoView({ block: 'nearest' });
}

async function showDiff(event) {
  event.preventDefault();
  const form = new FormData(event.target);
  const query = new URLSearchParams({ from: form.get('from'), to: form.get('to') });
  const { changes } = await getJson(`/v1/subgraphs/${encodeURIComponent(selected)}/diff?${query}`);
  const pre = $('#diff');
  pre.replaceChildren(
    ...changes.map((c) => {
      const span = document.createElement('span');
      span.className = c.kind;
      const mark = c.kind === 'added' ? '+ ' : c.kind === 'removed' ? '- ' : '  ';
      let lines = c.text
        .replace(/\n$/, '')
        .split('\n')
        .map((line) => mark + line);
      // Unchanged runs keep three lines of context each side.
      if (c.kind === 'same' && lines.length > 8) lines = [...lines.slice(0, 3), `  … ${lines.length - 6} unchanged lines`, ...lines.slice(-3)];
      span.textContent = lines.join('\n') + '\n';
      return span;
    }),
  );
  if (changes.every((c) => c.kind === 'same')) pre.textContent = 'The two revisions have the same schema.';
  pre.hidden = false;
}

async function loadRefusals() {
  const { refusals } = await getJson('/v1/refusals');
  const body = $('[data-testid="refusals"] tbody');
  if (refusals.length === 0) return void body.replaceChildren(row(['', 'none yet', '', '', '']));
  body.replaceChildren(
    ...refusals.map((r) => {
      const reason = cell(r.reason);
      reason.className = 'reason';
      const details = document.createElement('td');
      const list = document.createElement('ul');
      list.className = 'errors';
      list.append(...r.errors.map((e) => Object.assign(document.createElement('li'), { textContent: e })));
      details.append(list);
      const tr = row([when(r.at), `${r.action} ${r.name}`, r.by, reason, details]);
      tr.dataset.refusal = r.name;
      return tr;
    }),
  );
}

async function loadSupergraph() {
  try {
    const { revision, supergraphSdl } = await getJson('/v1/supergraph');
    $('#supergraph-revision').textContent = `(revision ${revision})`;
    $('#supergraph').textContent = supergraphSdl;
  } catch (error) {
    $('#supergraph').textContent = error.message;
  }
}

async function loadTokens() {
  const token = sessionStorage.getItem(TOKEN_KEY);
  const table = $('[data-testid="tokens"]');
  const problem = $('#tokens-error');
  problem.hidden = true;
  if (!token) return void (table.hidden = true);
  try {
    const { tokens } = await getJson('/v1/tokens', { authorization: `Bearer ${token}` });
    table
      .querySelector('tbody')
      .replaceChildren(
        ...tokens.map((t) =>
          row([
            t.id,
            t.team,
            t.subgraphs.join(', '),
            t.issuedBy,
            when(t.issuedAt),
            when(t.expiresAt),
            t.revokedAt ? `${when(t.revokedAt)} by ${t.revokedBy}` : '',
          ]),
        ),
      );
    table.hidden = false;
  } catch (error) {
    table.hidden = true;
    problem.textContent = `${error.message}`;
    problem.hidden = false;
  }
}

$('#diff-form').addEventListener('submit', (event) => void showDiff(event).catch((e) => showStatus(e.message)));
$('#admin-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const input = event.target.elements.token;
  if (input.value) sessionStorage.setItem(TOKEN_KEY, input.value);
  input.value = '';
  void loadTokens();
});
$('#forget').addEventListener('click', () => {
  sessionStorage.removeItem(TOKEN_KEY);
  void loadTokens();
});

async function refresh() {
  await Promise.all([loadSubgraphs(), loadRefusals(), loadSupergraph(), loadTokens()]);
  showStatus(`Updated ${new Date().toLocaleTimeString()}`);
}
refresh().catch((error) => showStatus(`The registry did not answer: ${error.message}`));
// A publish shows up without a reload; the selected subgraph's history is left as the reader set it.
setInterval(() => void Promise.all([loadSubgraphs(), loadRefusals(), loadSupergraph()]).catch((e) => showStatus(e.message)), 5000);
