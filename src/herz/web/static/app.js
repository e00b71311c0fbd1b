// herz dashboard: talks to the JSON API of the same server and draws with Plotly.js.
// No inline scripts (the page's Content-Security-Policy forbids them) and no other origins.
"use strict";

(function () {
  const $ = (id) => document.getElementById(id);
  const state = {
    scenarios: [],
    models: {}, // name -> GET /api/models entry (schemas of options, outcomes, summary fields)
    optionFields: [], // the chosen model's option controls, built from its options schema
    detail: null, // the chosen scenario's document
    limits: {},
    touched: { intelligence: false, bias: false },
    runToken: 0,
    result: null,
    sweep: null,
  };
  const PLOT_CONFIG = { responsive: true, displaylogo: false, modeBarButtonsToRemove: ["lasso2d", "select2d"] };
  const COLORS = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2",
    "#7f7f7f", "#bcbd22", "#17becf"];

  // ---- helpers ----------------------------------------------------------------------------
  async function api(path, options) {
    const response = await fetch(path, options);
    let body = null;
    try { body = await response.json(); } catch (e) { body = null; }
    if (!response.ok) {
      const detail = body && typeof body.detail === "string" ? body.detail : response.statusText;
      const err = new Error(detail);
      err.status = response.status;
      throw err;
    }
    return { status: response.status, body: body };
  }

  function debounce(fn, ms) {
    let timer = null;
    return function () {
      const args = arguments;
      clearTimeout(timer);
      timer = setTimeout(() => fn.apply(null, args), ms);
    };
  }

  function fmt(x, digits) {
    if (x === null || x === undefined || Number.isNaN(x)) return "–";
    if (typeof x !== "number") return String(x);
    const d = digits === undefined ? 3 : digits;
    if (Math.abs(x) >= 10000) return x.toLocaleString(undefined, { maximumFractionDigits: 0 });
    return Number(x.toPrecision(d)).toString();
  }

  function color(i) { return COLORS[i % COLORS.length]; }

  function rgba(hex, alpha) {
    const n = parseInt(hex.slice(1), 16);
    return "rgba(" + ((n >> 16) & 255) + "," + ((n >> 8) & 255) + "," + (n & 255) + "," + alpha + ")";
  }

  function showError(el, message) {
    el.textContent = message || "";
    el.hidden = !message;
  }

  function baseLayout(extra) {
    return Object.assign({
      margin: { l: 50, r: 10, t: 10, b: 40 },
      paper_bgcolor: "rgba(0,0,0,0)",
      plot_bgcolor: "rgba(0,0,0,0)",
      font: { size: 11 },
      legend: { orientation: "h", y: -0.1, yanchor: "top", x: 0 },
      hovermode: "x unified",
    }, extra || {});
  }

  function draw(id, traces, layout) {
    if (!window.Plotly) return;
    window.Plotly.react($(id), traces, baseLayout(layout), PLOT_CONFIG);
  }

  function purge(id) {
    if (window.Plotly) window.Plotly.purge($(id));
  }

  function emptyChart(id, message) {
    draw(id, [], {
      xaxis: { visible: false }, yaxis: { visible: false }, hovermode: false,
      annotations: [{ text: message, showarrow: false, xref: "paper", yref: "paper", x: 0.5, y: 0.5 }],
    });
  }

  // ---- routing ----------------------------------------------------------------------------
  function route() {
    const path = window.location.pathname;
    const views = { explore: $("view-explore"), sweeps: $("view-sweeps"), sweep: $("view-sweep") };
    let which = "explore";
    if (path === "/sweeps" || path === "/sweeps/") which = "sweeps";
    else if (path.startsWith("/sweeps/")) which = "sweep";
    Object.keys(views).forEach((k) => { views[k].hidden = k !== which; });
    $("nav-explore").classList.toggle("active", which === "explore");
    $("nav-sweeps").classList.toggle("active", which !== "explore");
    if (which === "sweeps") loadSweeps();
    if (which === "sweep") loadSweep(decodeURIComponent(path.slice("/sweeps/".length)));
    return which;
  }

  // ---- start ------------------------------------------------------------------------------
  async function start() {
    const which = route();
    try {
      const health = (await api("/api/health")).body;
      state.limits = health.limits;
      const host = window.location.hostname;
      const local = host === "127.0.0.1" || host === "localhost" || host === "[::1]";
      $("server-note").textContent = "herz " + health.version + (local ? " · local only" : " · shared") +
        " · up to " + health.limits.max_runs + " runs, " + health.limits.max_steps + " steps";
      $("runs").max = String(health.limits.max_runs);
      $("steps").max = String(health.limits.max_steps);
    } catch (e) {
      $("server-note").textContent = "server not reachable";
    }
    if (which !== "explore") return;
    bindControls();
    await loadModels();
    await loadScenarios();
    updateGame();
  }

  async function loadModels() {
    const models = (await api("/api/models")).body;
    const select = $("model");
    select.textContent = "";
    state.models = {};
    models.forEach((m) => {
      state.models[m.name] = m;
      const opt = document.createElement("option");
      opt.value = m.name;
      opt.textContent = m.name;
      opt.title = m.title;
      select.appendChild(opt);
    });
    if (models.some((m) => m.name === "spiral")) select.value = "spiral";
    chooseModel(select.value);
  }

  // ---- model options, generated from the model's JSON schema -----------------------------
  // Each property of the options schema becomes one control: a checkbox for a boolean, a menu
  // for an enum (Literal), a number input (with the schema's bounds) for a number or integer,
  // a text input for a string. Optional ones (anyOf [..., null]) may be left empty: default.
  function resolveRef(node, root) {
    if (node && typeof node.$ref === "string" && node.$ref.startsWith("#/$defs/")) {
      const target = (root.$defs || {})[node.$ref.slice("#/$defs/".length)];
      return target ? Object.assign({}, target, node, { $ref: undefined }) : node;
    }
    return node;
  }

  function optionField(name, prop, root) {
    let schema = resolveRef(prop, root);
    let nullable = false;
    if (Array.isArray(schema.allOf) && schema.allOf.length === 1) {
      schema = Object.assign({}, resolveRef(schema.allOf[0], root), schema, { allOf: undefined });
    }
    if (Array.isArray(schema.anyOf)) {
      const others = schema.anyOf.filter((b) => b.type !== "null");
      nullable = others.length < schema.anyOf.length;
      if (others.length !== 1) return null; // a union the page cannot offer: the default is used
      schema = Object.assign({}, resolveRef(others[0], root));
    }
    if (Array.isArray(schema.type)) {
      nullable = nullable || schema.type.includes("null");
      const types = schema.type.filter((t) => t !== "null");
      if (types.length !== 1) return null;
      schema = Object.assign({}, schema, { type: types[0] });
    }
    let values = Array.isArray(schema.enum) ? schema.enum : null;
    if (values === null && "const" in schema) values = [schema.const];
    const kind = values ? "enum" : schema.type;
    if (!["enum", "boolean", "integer", "number", "string"].includes(kind)) return null;
    return {
      name: name,
      kind: kind,
      values: values,
      nullable: nullable,
      label: prop.title || name,
      description: prop.description || schema.description || "",
      default: "default" in prop ? prop.default : null,
      schema: schema,
    };
  }

  function optionControl(field) {
    const id = "opt-" + field.name;
    const s = field.schema;
    let input;
    if (field.kind === "enum" || (field.kind === "boolean" && field.nullable)) {
      input = document.createElement("select");
      const values = (field.kind === "enum" ? field.values : [true, false]).slice();
      if (field.nullable) values.unshift(null);
      values.forEach((v) => {
        const opt = document.createElement("option");
        opt.value = JSON.stringify(v);
        opt.textContent = v === null ? "(default)" : String(v);
        input.appendChild(opt);
      });
      input.value = JSON.stringify(field.default === undefined ? null : field.default);
    } else if (field.kind === "boolean") {
      input = document.createElement("input");
      input.type = "checkbox";
      input.checked = field.default === true;
    } else if (field.kind === "string") {
      input = document.createElement("input");
      input.type = "text";
      if (typeof s.maxLength === "number") input.maxLength = s.maxLength;
      input.value = field.default === null ? "" : String(field.default);
      if (field.default === null) input.placeholder = "default";
    } else {
      input = document.createElement("input");
      input.type = "number";
      input.inputMode = field.kind === "integer" ? "numeric" : "decimal";
      input.step = field.kind === "integer" ? "1" : "any";
      const min = "minimum" in s ? s.minimum : s.exclusiveMinimum;
      const max = "maximum" in s ? s.maximum : s.exclusiveMaximum;
      if (typeof min === "number") input.min = String(min);
      if (typeof max === "number") input.max = String(max);
      input.value = field.default === null ? "" : String(field.default);
      if (field.default === null) input.placeholder = "default";
    }
    input.id = id;
    input.name = id;
    input.dataset.option = field.name;
    if (field.description) input.title = field.description;
    const label = document.createElement("label");
    label.className = field.kind === "boolean" && !field.nullable ? "check" : "field";
    label.htmlFor = id;
    const text = document.createElement("span");
    text.textContent = field.label;
    if (label.className === "check") { label.appendChild(input); label.appendChild(text); }
    else { label.appendChild(text); label.appendChild(input); }
    const wrap = document.createElement("div");
    wrap.className = "option";
    wrap.appendChild(label);
    if (field.description) {
      const help = document.createElement("p");
      help.className = "muted small";
      help.id = id + "-help";
      help.textContent = field.description;
      input.setAttribute("aria-describedby", help.id);
      wrap.appendChild(help);
    }
    return wrap;
  }

  function chooseModel(name) {
    const info = state.models[name];
    const body = $("model-options-body");
    body.textContent = "";
    state.optionFields = [];
    $("model-desc").textContent = info ? info.title + (info.citation ? " · " + info.citation : "") : "";
    if (!info) { $("model-options").hidden = true; return; }
    const schema = info.options_schema || {};
    const props = schema.properties || {};
    let skipped = 0;
    Object.keys(props).forEach((key) => {
      const field = optionField(key, props[key], schema);
      if (!field) { skipped += 1; return; }
      state.optionFields.push(field);
      body.appendChild(optionControl(field));
    });
    if (skipped) {
      const note = document.createElement("p");
      note.className = "muted small";
      note.textContent = skipped + " more option(s) keep their defaults here.";
      body.appendChild(note);
    }
    $("model-options").hidden = state.optionFields.length === 0 && skipped === 0;
  }

  // The options whose control differs from the schema's default (the others stay unset).
  function optionValues() {
    const out = {};
    state.optionFields.forEach((field) => {
      const el = $("opt-" + field.name);
      if (!el) return;
      let value;
      if (el.tagName === "SELECT") value = JSON.parse(el.value);
      else if (el.type === "checkbox") value = el.checked;
      else if (el.type === "number") {
        if (el.value.trim() === "") { if (!field.nullable) return; value = null; }
        else value = Number(el.value);
      } else value = el.value === "" && field.nullable ? null : el.value;
      if (JSON.stringify(value) === JSON.stringify(field.default)) return;
      out[field.name] = value;
    });
    return out;
  }

  async function loadScenarios() {
    state.scenarios = (await api("/api/scenarios")).body;
    const select = $("scenario");
    select.textContent = "";
    state.scenarios.forEach((s) => {
      const opt = document.createElement("option");
      opt.value = s.name;
      opt.textContent = s.name + " (" + s.states.length + " states)";
      select.appendChild(opt);
    });
    const preferred = ["europe-1914", "europe-1909"].find((n) => state.scenarios.some((s) => s.name === n));
    if (preferred) select.value = preferred;
    await chooseScenario(select.value);
  }

  function setSlider(id, value) {
    $(id).value = String(value);
    $(id + "-out").textContent = Number(value).toFixed(2);
  }

  async function chooseScenario(name) {
    if (!name) return;
    const detail = (await api("/api/scenarios/" + encodeURIComponent(name))).body;
    if ($("scenario").value !== name) return; // another scenario was chosen meanwhile
    state.detail = detail;
    state.touched = { intelligence: false, bias: false };
    const doc = detail.document;
    const mean = (key) => doc.states.reduce((a, s) => a + s[key], 0) / doc.states.length;
    setSlider("offense", doc.world.offense_advantage);
    setSlider("distinguish", doc.world.distinguishability);
    setSlider("intelligence", mean("intelligence"));
    setSlider("bias", Math.min(mean("bias"), 2));
    $("steps").value = String(Math.min(detail.steps, state.limits.max_steps || detail.steps));
    $("scenario-desc").textContent = detail.description.split(/\n\n/)[0].slice(0, 300);
    drawNetwork(networkFromDocument(doc), doc);
    updateGame();
  }

  function bindControls() {
    $("scenario").addEventListener("change", (e) => chooseScenario(e.target.value));
    $("model").addEventListener("change", (e) => chooseModel(e.target.value));
    ["offense", "distinguish", "intelligence", "bias"].forEach((id) => {
      $(id).addEventListener("input", () => {
        $(id + "-out").textContent = Number($(id).value).toFixed(2);
        if (id in state.touched) state.touched[id] = true;
        if (id === "offense" || id === "distinguish") updateGameSoon();
      });
    });
    $("run-form").addEventListener("submit", (e) => { e.preventDefault(); run(); });
    $("variable").addEventListener("change", () => { if (state.result) drawVariable(state.result); });
  }

  // ---- the game view ----------------------------------------------------------------------
  async function updateGame() {
    const w = $("offense").value;
    const d = $("distinguish").value;
    try {
      const game = (await api("/api/game?offense_advantage=" + w + "&distinguishability=" + d)).body;
      const m = game.matrix;
      const cells = [["g-cc", 0, 0], ["g-cd", 0, 1], ["g-dc", 1, 0], ["g-dd", 1, 1]];
      const pure = game.equilibria.filter((e) => e.kind === "pure");
      cells.forEach(([id, i, j]) => {
        $(id).textContent = fmt(m[i][j][0], 3) + ", " + fmt(m[i][j][1], 3);
        const eq = pure.some((e) => e.row[i] === 1 && e.column[j] === 1);
        $(id).classList.toggle("eq", eq);
        $(id).title = eq ? "a pure Nash equilibrium" : "";
      });
      const mixed = game.equilibria.length - pure.length;
      $("game-class").textContent = game.class + " (" + game.ordering + ")" +
        (mixed ? " · " + mixed + " mixed equilibrium" : "");
      $("game-world").textContent = "Jervis's world: " + game.world + ". Shaded: pure Nash equilibria; payoffs (own, other's).";
    } catch (e) {
      $("game-class").textContent = "";
      $("game-world").textContent = e.message;
    }
  }
  const updateGameSoon = debounce(updateGame, 120);

  // ---- running ----------------------------------------------------------------------------
  function overrides() {
    const out = {
      "world.offense_advantage": Number($("offense").value),
      "world.distinguishability": Number($("distinguish").value),
    };
    const doc = state.detail ? state.detail.document : null;
    if (doc) {
      doc.states.forEach((s) => {
        if (state.touched.intelligence) out["states." + s.id + ".intelligence"] = Number($("intelligence").value);
        if (state.touched.bias) out["states." + s.id + ".bias"] = Number($("bias").value);
      });
    }
    return out;
  }

  function setProgress(job, startedAt) {
    const box = $("progress");
    const bar = box.querySelector(".bar");
    const elapsed = (performance.now() - startedAt) / 1000;
    if (elapsed < 1 && job.status !== "failed") return; // short runs need no progress bar
    box.hidden = false;
    let share = null;
    let text = "";
    if (job.status === "queued") {
      text = "waiting for a worker" + (job.position ? " (" + job.position + " ahead)" : "") + "…";
    } else {
      if (job.progress !== null && job.progress !== undefined) share = job.progress;
      else if (job.expected_s) share = Math.min(job.elapsed_s / job.expected_s, 0.95);
      text = "running " + job.runs + " run(s) × " + job.steps + " steps · " + elapsed.toFixed(1) + " s" +
        (share !== null ? " · " + Math.round(share * 100) + " %" : "");
    }
    bar.classList.toggle("indeterminate", share === null);
    $("progress-fill").style.width = share === null ? "" : (share * 100).toFixed(1) + "%";
    $("progress-text").textContent = text;
  }

  async function run() {
    const token = ++state.runToken;
    const button = $("run");
    showError($("error"), "");
    const seedText = $("seed").value.trim();
    const body = {
      scenario: $("scenario").value,
      model: $("model").value,
      runs: Number($("runs").value),
      steps: Number($("steps").value),
      seed: seedText === "" ? null : Number(seedText),
      overrides: overrides(),
      options: optionValues(),
    };
    button.disabled = true;
    const startedAt = performance.now();
    try {
      let job = (await api("/api/runs", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify(body),
      })).body;
      while (job.status === "queued" || job.status === "running") {
        setProgress(job, startedAt);
        await new Promise((r) => setTimeout(r, 200));
        if (token !== state.runToken) return;
        job = (await api("/api/runs/" + job.id)).body;
      }
      if (job.status === "failed") throw new Error(job.detail || "the run failed.");
      state.result = job.result;
      render(job.result, job);
    } catch (e) {
      if (token === state.runToken) showError($("error"), e.message);
    } finally {
      if (token === state.runToken) {
        button.disabled = false;
        $("progress").hidden = true;
      }
    }
  }

  // ---- charts -----------------------------------------------------------------------------
  function render(res, job) {
    renderSummary(res, job);
    const vars = res.series ? Object.keys(res.series.variables) : [];
    const select = $("variable");
    const previous = select.value;
    select.textContent = "";
    vars.forEach((v) => {
      const opt = document.createElement("option");
      opt.value = v;
      opt.textContent = v;
      select.appendChild(opt);
    });
    select.value = vars.includes(previous) ? previous : (vars.includes("military") ? "military" : vars[0] || "");
    select.hidden = vars.length < 2;
    drawVariable(res);
    // Charts of what only some models have are shown only when the result has it.
    const series = res.series || {};
    showChart("fig-tension", Boolean(series.tension));
    showChart("fig-pwar", Boolean(series.p_war));
    showChart("fig-timeline", Boolean(res.timeline && res.timeline.length));
    drawTension(res);
    drawPwar(res);
    drawTimeline(res);
    drawDyadWar(res);
    drawNetwork(res.network, state.detail ? state.detail.document : null);
  }

  function showChart(id, shown) { $(id).hidden = !shown; }

  function card(label, value) {
    const div = document.createElement("div");
    div.className = "card";
    const v = document.createElement("span");
    v.className = "value";
    v.textContent = value;
    const l = document.createElement("span");
    l.className = "label";
    l.textContent = label;
    div.appendChild(v);
    div.appendChild(l);
    return div;
  }

  // One summary value as text: numbers with their standard error, per-state mappings as a list.
  function summaryText(value, se) {
    if (value === null || value === undefined) return "–";
    if (typeof value === "boolean") return value ? "yes" : "no";
    if (typeof value === "number") return fmt(value, 4) + (typeof se === "number" ? " ± " + fmt(se, 2) : "");
    if (Array.isArray(value)) return value.map((v) => summaryText(v)).join(", ");
    if (typeof value === "object") {
      return Object.keys(value).map((k) => k + " " + summaryText(value[k])).join(" · ");
    }
    return String(value);
  }

  function summaryRows(res) {
    const info = state.models[res.model];
    const s = res.summary || {};
    const rows = [];
    (info ? info.summary_fields : []).forEach((m) => {
      const names = m.name.includes("{state}")
        ? Object.keys(res.labels || {}).map((sid) => [m.name.split("{state}").join(sid), sid])
        : [[m.name, null]];
      names.forEach(([key, sid]) => {
        if (!(key in s)) return;
        const label = m.doc.replace(/\.$/, "") + (sid ? " (" + sid + ")" : "");
        rows.push({ key: key, label: label, value: summaryText(s[key], s[key + "_se"]), unit: m.unit });
      });
    });
    return rows;
  }

  function renderSummary(res, job) {
    const box = $("summary");
    box.textContent = "";
    [
      ["runs × steps", res.runs + " × " + res.steps],
      ["seed", String(res.seed)],
      ["model · scenario", res.model + " · " + job.scenario],
    ].forEach(([label, value]) => box.appendChild(card(label, value)));
    const rows = summaryRows(res);
    const tbody = $("summary-rows");
    tbody.textContent = "";
    rows.forEach((r) => {
      const tr = document.createElement("tr");
      tr.dataset.name = r.key;
      const th = document.createElement("th");
      th.scope = "row";
      th.textContent = r.label;
      tr.appendChild(th);
      [r.value, r.unit].forEach((text) => {
        const td = document.createElement("td");
        td.textContent = text;
        tr.appendChild(td);
      });
      tbody.appendChild(tr);
    });
    $("summary-panel").hidden = rows.length === 0;
  }

  function bandTraces(time, band, name, c, legend) {
    return [
      { x: time, y: band.hi, mode: "lines", line: { width: 0 }, hoverinfo: "skip", showlegend: false, name: name + " 95%" },
      { x: time, y: band.lo, mode: "lines", line: { width: 0 }, fill: "tonexty", fillcolor: rgba(c, 0.15), hoverinfo: "skip", showlegend: false, name: name + " 5%" },
      { x: time, y: band.mean, mode: "lines", line: { color: c, width: 2 }, name: name, showlegend: legend },
    ];
  }

  function drawVariable(res) {
    if (!res.series) { emptyChart("chart-military", "this run kept no time series"); return; }
    const v = $("variable").value || "military";
    const per = res.series.variables[v] || {};
    const traces = [];
    Object.keys(per).forEach((sid, i) => {
      const label = res.labels[sid] || sid;
      bandTraces(res.series.time, per[sid], label, color(i), true).forEach((t) => traces.push(t));
    });
    $("variable-title").textContent = v.charAt(0).toUpperCase() + v.slice(1).replace(/_/g, " ") + " per state";
    const unit = v === "military" || v === "spending" ? res.units.military : "";
    $("variable-title").title = unit;
    draw("chart-military", traces, { yaxis: { title: { text: v } }, margin: { l: 50, r: 10, t: 10, b: 20 } });
  }

  function drawTension(res) {
    const t = res.series && res.series.tension;
    if (!t) { purge("chart-tension"); return; }
    $("tension-title").textContent = "Tension: " + t.label;
    draw("chart-tension", bandTraces(res.series.time, t, "tension", "#b3261e", false),
      { yaxis: { title: { text: "tension" } }, xaxis: { title: { text: "year" } } });
  }

  function drawPwar(res) {
    const p = res.series && res.series.p_war;
    if (!p) { purge("chart-pwar"); return; }
    draw("chart-pwar", [{
      x: res.series.time, y: p, mode: "lines", line: { color: "#b3261e", width: 2, shape: "hv" },
      fill: "tozeroy", fillcolor: "rgba(179,38,30,0.12)", name: "P(war)",
    }], { yaxis: { title: { text: "share of runs" }, range: [0, 1.02] }, xaxis: { title: { text: "year" } } });
  }

  // Who fought whom (the summary's p_dyad_war, sent as a matrix): a heat map, in a figure made
  // here (before the alliance network) the first time a result has it.
  function drawDyadWar(res) {
    const d = res.dyad_war;
    let fig = document.getElementById("fig-dyadwar");
    if (!d || !d.states || !d.states.length) {
      if (fig) { purge("chart-dyadwar"); fig.hidden = true; }
      return;
    }
    if (!fig) {
      fig = document.createElement("figure");
      fig.className = "chart";
      fig.id = "fig-dyadwar";
      const caption = document.createElement("figcaption");
      caption.textContent = "Who fought whom: share of runs in which each pair fought each other";
      const plot = document.createElement("div");
      plot.id = "chart-dyadwar";
      plot.className = "plot";
      fig.appendChild(caption);
      fig.appendChild(plot);
      const before = $("chart-network").closest("figure");
      before.parentNode.insertBefore(fig, before);
    }
    fig.hidden = false;
    let top = 0;
    d.z.forEach((row) => row.forEach((v) => { if (typeof v === "number" && v > top) top = v; }));
    draw("chart-dyadwar", [{
      type: "heatmap", x: d.states, y: d.states, z: d.z, text: d.labels.map((l) => d.labels.map((m) => l + " – " + m)),
      colorscale: "Reds", zmin: 0, zmax: top > 0 ? top : 1, xgap: 1, ygap: 1, name: "P(pair fought)",
      hovertemplate: "%{text}: %{z:.3f}<extra></extra>", colorbar: { title: { text: "share of runs" } },
    }], { yaxis: { autorange: "reversed" }, hovermode: "closest", margin: { l: 50, r: 10, t: 10, b: 40 } });
  }

  function drawTimeline(res) {
    const items = res.timeline || [];
    if (!items.length) { purge("chart-timeline"); return; }
    const kinds = Array.from(new Set(items.map((e) => e.kind)));
    const traces = kinds.map((k, i) => {
      const rows = items.filter((e) => e.kind === k);
      return {
        x: rows.map((e) => e.year), y: rows.map(() => k), text: rows.map((e) => e.label),
        mode: "markers", type: "scatter", name: k, hovertemplate: "%{x}: %{text}<extra></extra>",
        marker: {
          color: k.startsWith("scripted") ? "#333" : color(i + 1),
          size: rows.map((e) => 6 + 18 * Math.sqrt(Math.min(e.share, 1))),
          symbol: k.startsWith("scripted") ? "diamond" : "circle", opacity: 0.75,
        },
      };
    });
    draw("chart-timeline", traces, {
      showlegend: false, hovermode: "closest", margin: { l: 120, r: 10, t: 10, b: 40 },
      xaxis: { title: { text: "year" } }, yaxis: { automargin: true, type: "category" },
    });
  }

  function networkFromDocument(doc) {
    const at = (year) => {
      const edges = [];
      doc.alliances.forEach((a) => {
        const from = a.from === null || a.from === undefined ? -Infinity : a.from;
        const until = a.until === null || a.until === undefined ? Infinity : a.until;
        if (year < from || year > until) return;
        for (let i = 0; i < a.members.length; i++) {
          for (let j = i + 1; j < a.members.length; j++) {
            edges.push({ source: a.members[i], target: a.members[j], alliance: a.name, kind: a.kind });
          }
        }
      });
      return { year: year, edges: edges };
    };
    const start = doc.time.start;
    return {
      nodes: doc.states.map((s) => ({ id: s.id, label: s.name || s.id, military: s.military, type: s.type })),
      start: at(start),
      end: at(start + doc.time.step * doc.time.steps),
    };
  }

  function drawNetwork(net) {
    if (!net || !net.nodes.length) { emptyChart("chart-network", "no states"); return; }
    const n = net.nodes.length;
    const pos = {};
    net.nodes.forEach((node, i) => {
      const a = Math.PI / 2 - (2 * Math.PI * i) / n;
      pos[node.id] = [Math.cos(a), Math.sin(a)];
    });
    const alliances = Array.from(new Set(net.start.edges.concat(net.end.edges).map((e) => e.alliance)));
    const key = (e) => e.alliance + "|" + e.source + "|" + e.target;
    const startKeys = new Set(net.start.edges.map(key));
    const traces = [];
    alliances.forEach((name, i) => {
      [["start", net.start.edges, "solid"], ["end", net.end.edges.filter((e) => !startKeys.has(key(e))), "dash"]]
        .forEach(([when, edges, dash]) => {
          const mine = edges.filter((e) => e.alliance === name);
          if (!mine.length) return;
          const x = [];
          const y = [];
          mine.forEach((e) => {
            x.push(pos[e.source][0], pos[e.target][0], null);
            y.push(pos[e.source][1], pos[e.target][1], null);
          });
          traces.push({ x: x, y: y, mode: "lines", name: name + (when === "end" ? " (later)" : ""),
            line: { color: color(i + 3), width: 2.5, dash: dash }, hoverinfo: "name" });
        });
    });
    const maxM = Math.max.apply(null, net.nodes.map((d) => d.military).concat([1e-9]));
    traces.push({
      x: net.nodes.map((d) => pos[d.id][0]), y: net.nodes.map((d) => pos[d.id][1]),
      mode: "markers+text", text: net.nodes.map((d) => d.id), textposition: "top center",
      hovertext: net.nodes.map((d) => d.label + ": military " + fmt(d.military, 3) + " (" + d.type.replace("_", " ") + ")"),
      hoverinfo: "text", name: "states", showlegend: false,
      marker: {
        size: net.nodes.map((d) => 10 + 26 * Math.sqrt(d.military / maxM)),
        color: net.nodes.map((d) => (d.type === "greedy" ? "#b3261e" : "#1f77b4")),
        line: { color: "#fff", width: 1 },
      },
    });
    draw("chart-network", traces, {
      hovermode: "closest", margin: { l: 10, r: 10, t: 20, b: 30 },
      xaxis: { visible: false, range: [-1.4, 1.4] }, yaxis: { visible: false, range: [-1.3, 1.5], scaleanchor: "x" },
      legend: { orientation: "h", x: 0, y: 0, yanchor: "top", font: { size: 10 } },
    });
  }

  // ---- sweeps -----------------------------------------------------------------------------
  async function loadSweeps() {
    const list = $("sweep-list");
    list.textContent = "";
    try {
      const sweeps = (await api("/api/sweeps")).body;
      $("sweeps-note").textContent = sweeps.length ? "" :
        "No stored sweeps: start the server with --db FILE (a store written by herz sweep).";
      sweeps.forEach((s) => {
        const li = document.createElement("li");
        const a = document.createElement("a");
        a.href = "/sweeps/" + encodeURIComponent(s.id);
        a.textContent = s.label;
        li.appendChild(a);
        const info = document.createElement("span");
        info.className = "muted small";
        info.textContent = " · " + s.info.points + " points × " + s.info.runs_per_point + " runs · " +
          s.info.parameters.join(", ") + (s.info.completed ? "" : " · incomplete");
        li.appendChild(info);
        list.appendChild(li);
      });
    } catch (e) {
      $("sweeps-note").textContent = e.message;
    }
  }

  async function loadSweep(name) {
    try {
      const sweep = (await api("/api/sweeps/" + encodeURIComponent(name))).body;
      state.sweep = sweep;
      $("sweep-title").textContent = sweep.label;
      const i = sweep.info;
      $("sweep-info").textContent = i.points + " points × " + i.runs_per_point + " runs, " + i.steps +
        " steps, design " + i.design + ", seed " + i.seed + (i.completed ? "" : " (incomplete)") +
        (i.description ? " · " + i.description : "");
      const select = $("measure");
      select.textContent = "";
      sweep.measures.forEach((m) => {
        const opt = document.createElement("option");
        opt.value = m;
        opt.textContent = m === "war" ? "war (P(war))" : m;
        select.appendChild(opt);
      });
      if (sweep.measures.includes("war")) select.value = "war";
      select.onchange = () => drawPhase(state.sweep, select.value);
      drawPhase(sweep, select.value);
    } catch (e) {
      showError($("sweep-error"), e.message);
    }
  }

  function drawPhase(sweep, measure) {
    const params = sweep.parameters;
    const pts = sweep.points;
    $("phase-title").textContent = "Phase diagram: mean " + measure + " over " + params.join(" × ");
    if (!params.length || !measure) { emptyChart("chart-phase", "nothing to draw"); return; }
    const z = pts.map((p) => p.measures[measure]);
    if (params.length === 1) {
      const sorted = pts.map((p, k) => [p.params[params[0]], z[k]]).sort((a, b) => a[0] - b[0]);
      draw("chart-phase", [{ x: sorted.map((r) => r[0]), y: sorted.map((r) => r[1]), mode: "lines+markers", name: measure }],
        { xaxis: { title: { text: params[0] } }, yaxis: { title: { text: measure } } });
      return;
    }
    const [px, py] = params;
    const xs = Array.from(new Set(pts.map((p) => p.params[px]))).sort((a, b) => a - b);
    const ys = Array.from(new Set(pts.map((p) => p.params[py]))).sort((a, b) => a - b);
    if (params.length === 2 && xs.length * ys.length === pts.length) {
      const grid = ys.map(() => xs.map(() => null));
      pts.forEach((p, k) => { grid[ys.indexOf(p.params[py])][xs.indexOf(p.params[px])] = z[k]; });
      draw("chart-phase", [{ type: "heatmap", x: xs, y: ys, z: grid, colorscale: "YlOrRd", colorbar: { title: { text: measure } } }],
        { hovermode: "closest", xaxis: { title: { text: px } }, yaxis: { title: { text: py } }, margin: { l: 60, r: 10, t: 10, b: 50 } });
      return;
    }
    draw("chart-phase", [{
      x: pts.map((p) => p.params[px]), y: pts.map((p) => p.params[py]), mode: "markers", type: "scatter",
      marker: { color: z, colorscale: "YlOrRd", size: 9, colorbar: { title: { text: measure } } },
      text: z.map((v) => measure + " " + fmt(v, 3)), hoverinfo: "x+y+text",
    }], { hovermode: "closest", xaxis: { title: { text: px } }, yaxis: { title: { text: py } } });
  }

  window.herzDashboard = { state: state, run: run };
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
