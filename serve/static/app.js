// The analysis page: POST the article to /v1/analyze and render the answer.
// All text goes into the page through textContent / createTextNode, never innerHTML,
// because articles and speaker names are untrusted input.
"use strict";

const LABELS = ["FAVOR", "AGAINST", "NEUTRAL"];
const $ = (id) => document.getElementById(id);

function el(tag, attrs, text) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) node.setAttribute(key, value);
  if (text !== undefined && text !== null) node.textContent = String(text);
  return node;
}

function pct(x) { return (100 * Number(x)).toFixed(1) + "%"; }

function scoresLine(scores) {
  return LABELS.map((label) => `${label} ${pct(scores[label] || 0)}`).join(" · ");
}

function setStatus(message, isError) {
  const status = $("status");
  status.textContent = message;
  status.className = isError ? "error" : "";
}

function headers() {
  const h = { "Content-Type": "application/json", "Accept": "application/json" };
  const key = $("apikey").value.trim();
  if (key) h["X-API-Key"] = key;
  return h;
}

// Offsets from the API count Unicode code points (Python); JavaScript strings count
// UTF-16 units, so slice an array of code points instead.
function renderArticle(text, quotes) {
  const chars = Array.from(text);
  const pieces = [];
  quotes.forEach((quote, index) => {
    const spans = (quote.spans && quote.spans.length) ? quote.spans : [[quote.start, quote.end]];
    for (const [start, end] of spans) pieces.push({ start, end, quote, index });
  });
  pieces.sort((a, b) => a.start - b.start || b.end - a.end);

  const container = $("highlighted");
  container.replaceChildren();
  let cursor = 0;
  for (const piece of pieces) {
    if (piece.start < cursor || piece.end <= piece.start || piece.end > chars.length) continue; // overlap or bad span
    container.appendChild(document.createTextNode(chars.slice(cursor, piece.start).join("")));
    const label = piece.quote.stance.label;
    const speaker = piece.quote.speaker ? (piece.quote.speaker.resolved || piece.quote.speaker.text) : "unattributed";
    const mark = el("mark", {
      "class": `stance stance-${label.toLowerCase()}`,
      "data-quote": String(piece.index),
      "data-label": label,
      "title": `${speaker} — ${label}\n${scoresLine(piece.quote.stance.scores)}` +
               (piece.quote.type ? `\n${piece.quote.type} quote` : "") +
               (piece.quote.fragment ? " (fragment, read in its sentence)" : ""),
    }, chars.slice(piece.start, piece.end).join(""));
    container.appendChild(mark);
    cursor = piece.end;
  }
  container.appendChild(document.createTextNode(chars.slice(cursor).join("")));
}

function renderSpeakers(speakers) {
  const body = $("speakers").querySelector("tbody");
  body.replaceChildren();
  for (const s of speakers) {
    const row = el("tr", { "class": "speaker-row" });
    row.appendChild(el("td", {}, s.speaker));
    row.appendChild(el("td", { "class": "num" }, s.statements));
    for (const label of LABELS) row.appendChild(el("td", { "class": "num" }, (s.labels || {})[label] || 0));
    const mean = s.mean_scores || {};
    row.appendChild(el("td", { "class": "num" }, LABELS.map((l) => pct(mean[l] || 0)).join(" / ")));
    body.appendChild(row);
  }
  $("speakers").hidden = speakers.length === 0;
  $("no-speakers").hidden = speakers.length !== 0;
}

async function analyze(event) {
  event.preventDefault();
  const text = $("article").value;
  if (!text.trim()) { setStatus("Paste an article first.", true); return; }
  const body = { text };
  const target = $("target").value.trim();
  if (target) body.target = target;
  $("analyze").disabled = true;
  setStatus("Analyzing…", false);
  try {
    const response = await fetch("/v1/analyze", { method: "POST", headers: headers(), body: JSON.stringify(body) });
    const data = await response.json().catch(() => null);
    if (!response.ok) {
      const message = data && data.error ? data.error.message : `HTTP ${response.status}`;
      setStatus(`Error ${response.status}: ${message}`, true);
      return;
    }
    renderArticle(text, data.quotes);
    renderSpeakers(data.speakers);
    $("count").textContent = `${data.quotes.length} statement(s) toward “${data.target}” · model ${data.model.version}`;
    $("results").hidden = false;
    setStatus("", false);
  } catch (err) {
    setStatus(`Could not reach the service: ${err}`, true);
  } finally {
    $("analyze").disabled = false;
  }
}

async function showModel() {
  try {
    const response = await fetch("/v1/model", { headers: headers() });
    if (!response.ok) return;
    const info = await response.json();
    $("model-line").textContent = `Model ${info.name} ${info.version}.`;
    $("target").placeholder = info.default_target;
  } catch (err) { /* the page still works without it */ }
}

document.addEventListener("DOMContentLoaded", () => {
  $("form").addEventListener("submit", analyze);
  showModel();
});
