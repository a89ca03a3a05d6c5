// The demo page: translate with POST /v1/translate and draw the last sentence's attention as a table.
"use strict";

const $ = (id) => document.getElementById(id);

function setStatus(text, isError = false) {
  $("status").textContent = text;
  $("status").className = isError ? "error" : "";
}

let pair = {};  // the shown model's languages: the server may serve several

async function showModel() {
  try {
    const model = (await (await fetch("/v1/models")).json()).models[0];
    pair = { source: model.source, target: model.target };
    $("src-lang").textContent = `(${model.source})`;
    $("tgt-lang").textContent = `(${model.target})`;
    const bleu = model.bleu == null ? "" : `, BLEU ${model.bleu.toFixed(1)}`;
    $("model").textContent = `Model ${model.id}${bleu}`;
  } catch (e) {
    $("model").textContent = "model information unavailable";
  }
}

async function translate() {
  const headers = { "Content-Type": "application/json" };
  if ($("key").value) headers["X-API-Key"] = $("key").value;
  const body = { text: $("source").value, ...pair, beam_size: Number($("beam").value) || 1, return_attention: true };
  setStatus("translating…");
  $("translate").disabled = true;
  try {
    const response = await fetch("/v1/translate", { method: "POST", headers, body: JSON.stringify(body) });
    const answer = await response.json();
    if (!response.ok) throw new Error(answer.error || response.statusText);
    const result = answer.translations[0];
    $("target").value = result.text;
    drawHeatmap(result.sentences || []);
    setStatus("done");
  } catch (e) {
    setStatus(`error: ${e.message}`, true);
  } finally {
    $("translate").disabled = false;
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
  const last = sentences[sentences.length - 1];
  if (!last || !last.attention) {
    box.textContent = last ? "this model has no attention" : "";
    return;
  }
  const table = document.createElement("table");
  table.id = "attention";
  const head = table.createTHead().insertRow();
  head.append(cell("th", ""), ...last.src_tokens.map((token) => cell("th", token)));
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
}

$("translate").addEventListener("click", translate);
$("source").addEventListener("keydown", (e) => {
  if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) translate();
});
showModel();
