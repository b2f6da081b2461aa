// hashshock dashboard: a thin client of the JSON API (src/hashshock/dashboard/app.py).
// Charts are the report's own plotly figures, drawn as the API returns them.
"use strict";

const $ = (id) => document.getElementById(id);
const state = { fleetId: null, job: null, shown: null, queueTimer: null };
// The job this tab follows, kept across a reload (the job runs on whether a page watches)
const JOB_KEY = "hashshock-job";
const DOWNLOADS = { html: "HTML report", json: "JSON", csv: "CSV" };

async function api(path, options = {}) {
  const init = Object.assign({ credentials: "same-origin" }, options);
  if (init.method && init.method !== "GET") {
    init.headers = Object.assign({ "X-Hashshock": "1" }, init.headers || {});
  }
  const response = await fetch(path, init);
  const body = await response.json().catch(() => ({ error: `${response.status} ${response.statusText}` }));
  if (!response.ok) throw new Error(body.error || `${response.status}`);
  return body;
}

function showError(id, error) {
  const box = $(id);
  box.textContent = error ? String(error.message || error) : "";
  box.hidden = !error;
}

function describeFleet(f) {
  return `${f.label}: ${f.name}, ${f.machines.toLocaleString()} machines at ${f.sites} site(s), ` +
    `${(f.nameplate_ths / 1000).toLocaleString(undefined, { maximumFractionDigits: 1 })} PH/s, from ${f.start_date}`;
}

function fleetChosen(result) {
  state.fleetId = result.fleet_id;
  $("fleet-status").textContent = describeFleet(result);
  showError("fleet-error", null);
  $("run").disabled = false;
}

function fleetFailed(error) {
  state.fleetId = null;
  $("fleet-status").textContent = "";
  showError("fleet-error", error);
  $("run").disabled = true;
}

async function pickFleet() {
  const path = $("fleet-pick").value;
  if (!path) return;
  $("fleet-upload").value = "";  // a file uploaded before (one refused, say) is not the fleet
  try {
    fleetChosen(await api("/api/fleets/pick", {
      method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ path }),
    }));
  } catch (error) { fleetFailed(error); }
}

async function uploadFleet() {
  const file = $("fleet-upload").files[0];
  if (!file) return;
  $("fleet-pick").value = "";
  try {
    fleetChosen(await api("/api/fleets/upload", {
      // a header holds Latin-1 only: the name goes percent-encoded (舰队.yaml, curly quotes)
      method: "POST", body: file,
      headers: { "Content-Type": "application/x-yaml", "X-Filename": encodeURIComponent(file.name) },
    }));
  } catch (error) { fleetFailed(error); }
}

// A blank (or unreadable) number box is sent as null, for the server to say so: Number("")
// is 0, which it would refuse as "0" that nobody typed
function numberIn(id) {
  const text = $(id).value;
  return text === "" ? null : Number(text);
}

function chosenScenarios() {
  return [...document.querySelectorAll("#scenarios input:checked")].map((box) => box.value);
}

async function drawReport(query) {
  const results = $("results");
  results.dataset.rendered = "false";
  const report = await api(`/api/report?${query}`);
  results.replaceChildren();
  for (const section of report.sections) {
    const box = document.createElement("section");
    box.id = `section-${section.key}`;
    const title = document.createElement("h2");
    title.textContent = section.title;
    box.append(title);
    if (section.intro) {
      const intro = document.createElement("p");
      intro.className = "intro";
      intro.textContent = section.intro;
      box.append(intro);
    }
    results.append(box);
    for (const block of section.blocks) {
      if (block.kind === "html") {
        const holder = document.createElement("div");
        holder.innerHTML = block.html;  // built and escaped by the server (report/tables.py)
        box.append(holder);
        continue;
      }
      const figure = document.createElement("figure");
      const div = document.createElement("div");
      div.id = `chart-${block.key}`;
      div.className = "chart";
      div.setAttribute("role", "img");  // a screen reader says its title, not plotly's parts
      div.setAttribute("aria-label", block.label);
      figure.append(div);
      if (block.caption) {
        const caption = document.createElement("figcaption");
        caption.textContent = block.caption;
        figure.append(caption);
      }
      box.append(figure);
      await Plotly.newPlot(div, block.figure.data, block.figure.layout, { responsive: true, displaylogo: false });
      div.dataset.rendered = "true";
    }
  }
  // CSV is of saved runs only; the links are joined once chosen, so no separator dangles
  const kinds = Object.keys(DOWNLOADS).filter((kind) => kind !== "csv" || !query.startsWith("job=") || state.saved);
  $("dl-links").replaceChildren(...kinds.flatMap((kind, i) => {
    const link = document.createElement("a");
    link.id = `dl-${kind}`;
    link.href = `/api/download/${kind}?${query}`;
    link.textContent = DOWNLOADS[kind];
    return i ? [" · ", link] : [link];
  }));
  $("downloads").hidden = false;
  results.dataset.rendered = "true";
}

// Follow job `jobId`: its progress, its Cancel, its results once done
function follow(jobId) {
  state.job = jobId;
  sessionStorage.setItem(JOB_KEY, jobId);
  $("run").disabled = true;
  $("progress").hidden = false;
  $("cancel").hidden = false;
}

function release() {
  state.job = null;
  sessionStorage.removeItem(JOB_KEY);
  $("progress").hidden = true;
  $("cancel").hidden = true;
  $("run").disabled = !state.fleetId;
}

async function poll(jobId) {
  const job = await api(`/api/jobs/${jobId}`);
  const bar = $("progress");
  bar.max = Math.max(job.total, 1);
  bar.value = job.done;
  if (job.state === "queued" || job.state === "running") {
    $("run-status").textContent = `${job.state}: ${job.progress}`;
    setTimeout(() => poll(jobId).catch((error) => runFailed(error)), 150);
    return;
  }
  release();
  showQueue();
  if (job.state === "error") { runFailed(job.error); return; }
  if (job.state === "cancelled") { $("run-status").textContent = "cancelled: nothing was saved"; return; }
  state.saved = job.run_ids.length > 0;
  $("run-status").textContent = `done in ${job.elapsed_s} s` +
    (state.saved ? `; saved as ${job.run_ids.join(", ")}` : "");
  await drawReport(`job=${jobId}`);
  loadStored();
}

function runFailed(error) {
  release();
  $("run-status").textContent = "";
  showError("run-error", error);
}

async function startRun() {
  showError("run-error", null);
  const scenarios = chosenScenarios();
  if (!scenarios.length) { runFailed("tick at least one scenario"); return; }
  $("run").disabled = true;
  $("progress").value = 0;
  $("results").dataset.rendered = "false";
  try {
    const job = await api("/api/runs", {
      method: "POST", headers: { "Content-Type": "application/json" },
      body: JSON.stringify({
        fleet_id: state.fleetId, scenarios, paths: numberIn("paths"),
        horizon_days: numberIn("horizon"), seed: numberIn("seed"), save: $("save").checked,
      }),
    });
    follow(job.job_id);
    showQueue();
    await poll(job.job_id);
  } catch (error) { runFailed(error); }
}

async function cancelRun() {
  if (!state.job) return;
  try {
    await api(`/api/jobs/${state.job}`, { method: "DELETE" });
    $("run-status").textContent = "stopping…";
  } catch (error) { showError("run-error", error); }
}

// The server's queue, oldest first, each with a Cancel: what this tab's run waits behind,
// and runs no page follows any more. Redrawn each second while it is not empty.
async function showQueue() {
  clearTimeout(state.queueTimer);
  let jobs = [];
  try { ({ jobs } = await api("/api/jobs")); } catch (error) { return; }
  $("queue-list").replaceChildren(...jobs.map((job) => {
    const item = document.createElement("li");
    const mine = job.job_id === state.job ? " (this page's run)" : "";
    item.textContent = `${job.fleet} · ${job.scenarios.join(", ")} · ${job.paths}×${job.horizon_days}` +
      ` — ${job.state}: ${job.progress}${mine} `;
    const cancel = document.createElement("button");
    cancel.type = "button";
    cancel.className = "secondary";
    cancel.textContent = "Cancel";
    cancel.addEventListener("click", () => api(`/api/jobs/${job.job_id}`, { method: "DELETE" })
      .then(showQueue, (error) => showError("run-error", error)));
    item.append(cancel);
    return item;
  }));
  $("queue").hidden = !jobs.length;
  if (jobs.length) state.queueTimer = setTimeout(showQueue, 1000);
}

async function loadStored() {
  const list = $("stored-list");
  try {
    const { runs } = await api("/api/runs");
    list.replaceChildren();
    if (!runs.length) { list.textContent = "No runs saved yet."; return; }
    for (const run of runs) {
      const label = document.createElement("label");
      const box = document.createElement("input");
      box.type = "checkbox";
      box.value = run.run_id;
      box.addEventListener("change", allowCompare);
      const text = document.createElement("span");
      text.textContent = `${run.run_id} · ${run.fleet_name} · ${run.scenario} · ${run.paths}×${run.horizon_days}` +
        ` · seed ${run.seed} · ${run.saved_at.slice(0, 16).replace("T", " ")}`;
      label.append(box, text);
      list.append(label);
    }
  } catch (error) {
    list.textContent = String(error.message || error);
  } finally {
    allowCompare();  // the list was built anew, nothing ticked
  }
}

// "Show selected" only while a stored run is ticked
function allowCompare() {
  $("compare").disabled = !$("stored-list").querySelector("input:checked");
}

async function compareStored() {
  const ids = [...document.querySelectorAll("#stored-list input:checked")].map((box) => box.value);
  try { state.saved = true; await drawReport(`ids=${ids.join(",")}`); } catch (error) { runFailed(error); }
}

async function init() {
  const info = await api("/api/info");
  for (const path of info.fleets) {
    const option = document.createElement("option");
    option.value = path;
    option.textContent = path;
    $("fleet-pick").append(option);
  }
  // each description behind its own "about": a title attribute is out of reach of a
  // keyboard or a finger; the box is described by it for a screen reader as well
  for (const scenario of info.scenarios) {
    const label = document.createElement("label");
    const box = document.createElement("input");
    box.type = "checkbox";
    box.value = scenario.name;
    box.checked = scenario.name === "baseline";
    box.setAttribute("aria-describedby", `about-${scenario.name}`);
    label.append(box, document.createTextNode(scenario.name));
    const about = document.createElement("details");
    const summary = document.createElement("summary");
    summary.textContent = `about ${scenario.name}`;
    const text = document.createElement("p");
    text.id = `about-${scenario.name}`;
    text.textContent = scenario.description;
    about.append(summary, text);
    $("scenarios").append(label, about);
  }
  $("fleet-pick").addEventListener("change", pickFleet);
  $("fleet-upload").addEventListener("change", uploadFleet);
  $("run").addEventListener("click", startRun);
  $("cancel").addEventListener("click", cancelRun);
  $("compare").addEventListener("click", compareStored);
  await loadStored();
  const followed = sessionStorage.getItem(JOB_KEY);  // a run started before a reload
  if (followed) {
    follow(followed);
    poll(followed).catch((error) => runFailed(error));
  }
  await showQueue();
  document.body.dataset.ready = "true";
}

window.addEventListener("DOMContentLoaded", () => init().catch((error) => showError("run-error", error)));
