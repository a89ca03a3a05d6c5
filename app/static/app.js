// The demo page: translate with POST /v1/translate between any served pair (from /languages, with a swap button),
// as text or HTML, and draw the last sentence's attention as a table; translate a file with POST /translate_file
// (the formats from /frontend/settings) and offer the translation as a download.
"use strict";

const $ = (id) => document.getElementById(id);

function setStatus(text, isError = false, id = "status") {
  $(id).textContent = text;
  $(id).className = isError ? "error" : "";
}

// One request at a time from a button: a second click, or Ctrl+Enter, while one runs is ignored. The button is
// aria-disabled, not disabled: a disabled button loses the focus, and a keyboard user's Tab starts again at the top.
async function whileBusy(button, work) {
  if (button.getAttribute("aria-disabled") === "true") return;
  button.setAttribute("aria-disabled", "true");
  try {
    await work();
  } finally {
    button.removeAttribute("aria-disabled");
  }
}

// The answer's JSON, or an Error a user can read: the server's own {"error"}; else its status (a proxy's HTML page of
// a 502 or a 413 made "Unexpected token '<'"), or that it cannot be reached (it is down: fetch said "Failed to fetch").
async function call(url, options) {
  let response;
  try {
    response = await fetch(url, options);
  } catch (e) {
    throw new Error("the server cannot be reached");
  }
  const answer = await response.json().catch(() => null);
  if (response.ok && answer) return answer;
  throw new Error(answer?.error || `the server answered ${response.status} ${response.statusText}`.trim());
}

let models = {};  // "en-es" -> the model's entry of /v1/models

function selectedPair() {  // an option's value is "source target": codes may hold "-" (pt-BR), never a space
  const [source, target] = $("pair").value.split(" ");
  return { source, target };
}

function pairOption(source, target) {  // source "auto": the server detects it (POST /v1/translate's source auto)
  const option = document.createElement("option");
  option.value = `${source} ${target}`;
  option.textContent = `${source === "auto" ? "detect" : source} → ${target}`;
  return option;
}

async function loadPairs() {
  try {
    const [languages, listed] = await Promise.all([
      fetch("/languages").then((r) => r.json()),
      fetch("/v1/models").then((r) => r.json()),
    ]);
    models = Object.fromEntries(listed.models.map((m) => [m.id, m]));
    const pairs = languages.flatMap((l) => l.targets.map((t) => pairOption(l.code, t)));
    const targets = [...new Set(languages.flatMap((l) => l.targets))];
    $("pair").replaceChildren(...pairs, ...targets.map((t) => pairOption("auto", t)));
    showPair();
  } catch (e) {
    $("model").textContent = "model information unavailable";
  }
}

function showPair() {
  const { source, target } = selectedPair();
  $("src-lang").textContent = source === "auto" ? "(detected)" : `(${source})`;
  $("tgt-lang").textContent = `(${target})`;
  $("source").lang = source === "auto" ? "" : source;  // a screen reader reads, and a spell-checker checks, each pane
  // in its own language
  $("target").lang = target;
  const model = models[`${source}-${target}`];
  const bleu = model && model.bleu != null ? `, BLEU ${model.bleu.toFixed(1)}` : "";
  $("model").textContent = source === "auto" ? `Any model into ${target}, by the text's language`
    : `Model ${source}-${target}${bleu}`;
  $("swap").disabled = !$("pair").querySelector(`option[value="${target} ${source}"]`);
}

function swap() {
  const { source, target } = selectedPair();
  $("pair").value = `${target} ${source}`;
  if ($("target").value) {
    $("source").value = $("target").value;
    $("target").value = "";
  }
  showPair();
}

function pairChosen() {  // the translation shown is in the old target language: not the new pair's
  $("target").value = "";
  drawHeatmap([]);
  setStatus("");
  showPair();
}

async function loadFormats() {
  try {
    const settings = await fetch("/frontend/settings").then((r) => r.json());
    if (!settings.filesTranslation) return;
    $("file").accept = settings.supportedFilesFormat.join(",");
    $("formats").textContent = `Formats: ${settings.supportedFilesFormat.join(" ")}. The translation keeps the file's layout.`;
    $("files").hidden = false;
  } catch (e) {
    // no settings, no file translation: the text panes still work
  }
}

function translateFile() {
  return whileBusy($("translate-file"), sendFile);
}

async function sendFile() {
  const file = $("file").files[0];
  if (!file) {
    setStatus("choose a file first", true, "file-status");
    return;
  }
  const form = new FormData();
  form.append("file", file);
  const { source, target } = selectedPair();
  form.append("source", source);
  form.append("target", target);
  if ($("key").value) form.append("api_key", $("key").value);
  if ($("glossary").files[0]) form.append("glossary", $("glossary").files[0]);
  $("download").hidden = true;
  setStatus("translating the file…", false, "file-status");
  try {
    const answer = await call("/translate_file", { method: "POST", body: form });
    $("download").href = answer.translatedFileUrl;
    $("download").download = file.name;
    $("download").textContent = `download ${file.name} (${target})`;
    $("download").hidden = false;
    setStatus("done", false, "file-status");
  } catch (e) {
    setStatus(`error: ${e.message}`, true, "file-status");
  }
}

function translate() {
  return whileBusy($("translate"), sendText);
}

async function sendText() {
  const headers = { "Content-Type": "application/json" };
  if ($("key").value) headers["X-API-Key"] = $("key").value;
  const body = { text: $("source").value, ...selectedPair(), beam_size: Number($("beam").value) || 1 };
  // an HTML document's translation has no attention to draw: /v1/translate refuses return_attention with it (422)
  if ($("format").value === "html") body.format = "html";
  else body.return_attention = true;
  setStatus("translating…");
  $("spoken").textContent = "";
  try {
    const answer = await call("/v1/translate", { method: "POST", headers, body: JSON.stringify(body) });
    const result = answer.translations[0];
    $("target").value = result.text;
    // a live region reads its own text, never a textarea's value: without this a screen reader heard only "done"
    $("spoken").textContent = `Translation: ${result.text}`;
    drawHeatmap(result.sentences || []);
    const detected = answer.detected_source;
    setStatus(detected ? `done (detected: ${detected.language}, ${detected.confidence}%)` : "done");
  } catch (e) {
    setStatus(`error: ${e.message}`, true);
  }
}

function cell(tag, text) {
  const element = document.createElement(tag);
  element.textContent = text;
  return element;
}

function drawHeatmap(sentences) {
  const box = $("heatmap");
  box.replaceChildren();
  box.removeAttribute("tabindex");
  const last = sentences[sentences.length - 1];
  if (!last || !last.attention) {
    box.textContent = last ? "this model has no attention" : "";
    return;
  }
  const table = document.createElement("table");
  table.id = "attention";
  const head = table.createTHead().insertRow();
  head.append(cell("td", ""), ...last.src_tokens.map((token) => cell("th", token)));
  const rows = table.createTBody();
  last.attention.forEach((weights, i) => {
    const row = rows.insertRow();
    row.append(cell("th", last.tgt_tokens[i] ?? ""));
    weights.forEach((weight) => {
      const td = row.insertCell();
      td.style.background = `rgba(25, 80, 200, ${weight.toFixed(3)})`;
      td.title = weight.toFixed(2);
    });
  });
  box.append(table);
  box.tabIndex = 0;  // a wide table scrolls: a keyboard user scrolls it from the focused box
}

$("translate").addEventListener("click", translate);
$("translate-file").addEventListener("click", translateFile);
$("pair").addEventListener("change", pairChosen);
$("swap").addEventListener("click", swap);
$("source").addEventListener("keydown", (e) => {
  if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) translate();
});
loadPairs();
loadFormats();
