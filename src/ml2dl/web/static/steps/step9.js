// Step 9 — the full CNN pipeline, on a real trained network and a real image.
// The network is trained on the server in the background (/api/pipeline/train, progress as server-sent
// events), then GET /api/pipeline/explain?index=i returns every stage's actual output (layer.output after a
// forward pass of the engine). This file only draws.

import { mountCheck } from "../lib/check.js";
import { greyColours, greyCss, greyLevel, inkOn } from "../lib/colour.js";
import { paintRadios, radioKeys } from "../lib/controls.js";
import { paintHeatmap } from "../lib/heatmap.js";

// A stage's feature map in grey (step 7's convention: signed values around mid-grey), one canvas pixel per value.
const paintMap = (canvas, map, scale) => paintHeatmap(canvas, map, greyColours(scale));

const CSS = `
.cp-status { display: grid; gap: 6px; }
.cp-progress { height: 10px; background: var(--line); border-radius: 5px; overflow: hidden; }
.cp-progress > div { height: 100%; background: var(--blue); width: 0; transition: width .3s; }
.cp-layout { display: grid; grid-template-columns: 224px minmax(0, 1fr); gap: 18px; align-items: start; }
@media (max-width: 900px) { .cp-layout { grid-template-columns: 1fr; } }
.cp-examples { display: grid; grid-template-columns: repeat(2, minmax(0, 1fr)); gap: 8px; }
.cp-chips { display: flex; flex-wrap: wrap; align-items: center; gap: 4px; font-size: .82rem; color: var(--ink-2); }
.cp-chips span.chip { border: 1px solid var(--line-2); border-radius: 999px; padding: 2px 9px; background: var(--bg); font-weight: 600; }
@media (max-width: 900px) { .cp-examples { grid-template-columns: repeat(auto-fill, minmax(64px, 1fr)); } }
.cp-ex { border: 2px solid var(--line); border-radius: 9px; padding: 4px; background: var(--white); cursor: pointer; display: grid; gap: 2px; justify-items: center; }
.cp-ex canvas { width: 100%; aspect-ratio: 1; image-rendering: pixelated; border-radius: 5px; }
.cp-ex span { font-size: .7rem; font-weight: 700; }
.cp-ex span.normal { color: var(--blue); }
.cp-ex span.pneumonia { color: var(--orange-ink); }
.cp-ex[aria-checked="true"] { border-color: var(--slate); box-shadow: 0 0 0 3px color-mix(in srgb, var(--slate) 18%, transparent); }
.cp-strip { display: flex; align-items: stretch; gap: 0; overflow-x: auto; padding: 4px 2px 10px; }
.cp-stage { flex: 0 0 auto; width: 80px; border: 2px solid var(--line); border-radius: 10px; background: var(--white); padding: 6px 4px; cursor: pointer;
  display: grid; justify-items: center; gap: 3px; text-align: center; }
.cp-stage:hover { border-color: var(--line-2); }
.cp-stage[aria-selected="true"] { border-color: var(--slate); box-shadow: 0 0 0 3px color-mix(in srgb, var(--slate) 16%, transparent); }
.cp-stage canvas { width: 56px; height: 56px; image-rendering: pixelated; border-radius: 4px; background: var(--empty); }
.cp-stage .nm { font-size: .76rem; font-weight: 700; line-height: 1.15; }
.cp-stage .sh { font-size: .68rem; white-space: nowrap; color: var(--muted); font-variant-numeric: tabular-nums; }
.cp-arrow { align-self: center; color: var(--muted); padding: 0 2px; font-size: .9rem; }
.cp-layout .caption { overflow-wrap: anywhere; }
.cp-scale { display: flex; justify-content: space-between; font-size: .78rem; color: var(--ink-2); margin-top: 3px; }
.cp-maps { display: grid; grid-template-columns: repeat(auto-fill, minmax(104px, 1fr)); gap: 10px; }
.cp-map { margin: 0; display: grid; gap: 3px; }
.cp-map canvas { width: 100%; aspect-ratio: 1; image-rendering: pixelated; border-radius: 5px; border: 1px solid var(--line); }
.cp-map figcaption { font-size: .74rem; color: var(--ink-2); display: flex; justify-content: space-between; align-items: center; gap: 4px; }
.cp-kernel { display: grid; grid-template-columns: repeat(3, 1fr); gap: 1px; width: 100%; }
.cp-kernel div { font-size: .62rem; text-align: center; padding: 2px 0; border-radius: 3px; font-variant-numeric: tabular-nums; }
.cp-big { display: grid; grid-template-columns: minmax(0, 300px) minmax(0, 1fr); gap: 18px; align-items: start; }
@media (max-width: 760px) { .cp-big { grid-template-columns: 1fr; } }
.cp-big canvas { width: 100%; aspect-ratio: 1; image-rendering: pixelated; border-radius: 8px; }
.cp-flat { width: 100%; height: auto; image-rendering: pixelated; border-radius: 4px; border: 1px solid var(--line); }
.cp-answer { display: flex; gap: 12px; flex-wrap: wrap; }
.cp-prob { height: 18px; border-radius: 9px; background: var(--blue-soft); overflow: hidden; border: 1px solid var(--blue-line); }
.cp-prob > div { height: 100%; background: var(--orange); }
.cp-ok { color: var(--good); font-weight: 700; }
.cp-no { color: var(--bad); font-weight: 700; }
.cp-legend { display: flex; gap: 10px; align-items: center; font-size: .8rem; color: var(--ink-2); flex-wrap: wrap; }
.cp-ramp { width: 120px; height: 10px; border-radius: 3px; border: 1px solid var(--line-2); }
`;

const IMAGE_GREYS = { signed: false, max: 255 };

export default {

  // the held-out example images and the names of the stages
  options: (api) => api("pipeline/examples"),
  params: (info) => ({
    image: { type: "choice", default: info.examples[0].index, choices: info.examples.map((e) => e.index) },
    stage: { type: "choice", default: "conv1", choices: info.stages.map((st) => st.name) },
    autostart: { type: "bool", default: true, transient: true },  // autostart=0: do not train on arrival
  }),

  async mount(root, ctx) {
    ctx.injectStyle("step9-style", CSS);
    const { el, fmt, cssVar } = ctx;
    const info = ctx.options;
    let alive = true;
    let source = null;
    let exampleIndex = ctx.params.image;
    let stageName = ctx.params.stage;
    let current = null;

    // ------------------------------------------------------------ training status
    const bar = el("div", {});
    const progress = el("div", { class: "cp-progress", role: "progressbar", "aria-label": "training progress",
      "aria-valuemin": 0, "aria-valuemax": 100, "data-testid": "progress" }, bar);
    const statusText = el("p", { class: "small muted", "data-testid": "status", "aria-live": "polite" });
    const trainBtn = el("button", { type: "button", class: "btn btn-primary", "data-testid": "train", hidden: true,
      onclick: () => startTraining() }, "Train the CNN");
    const cancelBtn = el("button", { type: "button", class: "btn", "data-testid": "cancel", hidden: true,
      onclick: () => ctx.api("pipeline/cancel", {}).then(detach).catch((e) => ctx.notify(e.message)) }, "Stop watching");
    const statusPanel = el("div", { class: "panel cp-status", "data-testid": "training-panel" },
      el("h2", { style: "margin: 0" }, "Training the CNN on the chest images"),
      el("p", { class: "note", style: "margin: 0" }, "The network learns its filters from the training images, once, on this server; ",
        "the result is kept, so next time it is ready at once."),
      el("div", { class: "cp-chips", "aria-label": "the stages you will explore" },
        info.stages.flatMap((st, i) => [i ? el("span", { "aria-hidden": "true" }, "→") : null, el("span", { class: "chip" }, st.short)])),
      progress, statusText, el("div", { class: "btn-row" }, trainBtn, cancelBtn));

    // ------------------------------------------------------------ examples
    const exButtons = info.examples.map((e) => {
      const c = el("canvas", { width: 28, height: 28, "aria-hidden": "true" });
      paintMap(c, e.image, IMAGE_GREYS);
      return el("button", { type: "button", role: "radio", class: "cp-ex", "data-testid": `example-${e.index}`, "data-value": e.index,
        "aria-label": `held-out image ${e.index + 1}, ${e.label_name}`, onclick: () => chooseExample(e.index) },
      c, el("span", { class: e.label_name }, e.label_name));
    });
    const exGroup = el("div", { class: "cp-examples", role: "radiogroup", "aria-label": "Input image", "data-control": "image" }, exButtons);
    radioKeys(exGroup, exButtons, () => exampleIndex, (v) => chooseExample(Number(v)));
    const paintExamples = () => paintRadios(exButtons, exampleIndex);

    // ------------------------------------------------------------ pipeline strip + detail
    const strip = el("div", { class: "cp-strip", role: "tablist", "aria-label": "Stages of the network", "data-testid": "strip",
      "data-control": "stage" });
    const answer = el("div", { class: "cp-answer", "data-testid": "answer" });
    const detail = el("div", { class: "panel", role: "tabpanel", "data-testid": "stage-detail" });
    const main = el("div", { class: "stack", hidden: true, "data-testid": "pipeline" },
      el("div", { class: "panel" }, el("h2", {}, "Click a stage"), strip, answer),
      detail);

    root.append(
      el("p", { class: "lede" },
        "A real convolutional network, trained here on chest images: ",
        el("strong", {}, "input → convolution → ReLU → pooling → convolution → ReLU → pooling → flatten → dense → output"),
        ". Pick an image it has never seen and click any stage to see what it does and its actual output. ",
        "Pixels become edges, edges become textures and shapes, and a single number at the end says pneumonia or not."),
      statusPanel,
      el("div", { class: "cp-layout", style: "margin-top: 18px" },
        el("div", { class: "panel" }, el("h2", {}, "Input image"),
          el("p", { class: "small muted" }, "Held-out images: never used for training."),
          exGroup,
          info.synthetic ? el("p", { class: "caption" }, el("span", { class: "tag synthetic", "data-testid": "synthetic-tag" }, "synthetic"),
            " chest films drawn by ml2dl. Start with --data pneumoniamnist.npz for real X-rays.")
            : el("p", { class: "caption" }, "Real chest X-rays, 28 × 28. ", info.source)),
        main),
    );

    function stageCard(stage) {
      const c = el("canvas", { width: 28, height: 28, "aria-hidden": "true" });
      if (stage.maps) paintMap(c, stage.maps[0], stage.scale);
      else if (stage.name === "flatten") paintMap(c, [stage.values.slice(0, 49)], stage.scale);
      const shape = stage.shape.join("×");
      let preview = c;
      if (stage.name === "linear") preview = el("div", { class: "num", style: "font-size: 1.1rem; font-weight: 750; height: 56px; display: grid; place-items: center" }, `z = ${fmt(stage.logit, 2)}`);
      // the answer's colour: orange for pneumonia (P ≥ 0.5), blue for normal
      if (stage.name === "output") preview = el("div", { class: "num", "data-testid": "output-preview", "data-class": stage.probability >= 0.5 ? "pneumonia" : "normal",
        style: `font-size: 1.1rem; font-weight: 750; height: 56px; display: grid; place-items: center; color: var(${stage.probability >= 0.5 ? "--orange-ink" : "--blue"})` }, fmt(stage.probability, 3));
      return el("button", { type: "button", role: "tab", class: "cp-stage", "data-testid": `stage-${stage.name}`, "data-name": stage.name,
        "aria-selected": stage.name === stageName ? "true" : "false", tabindex: stage.name === stageName ? 0 : -1,
        "aria-label": `${stage.title}, output ${stage.shape.join(" by ")}`, title: stage.title,
        onclick: () => chooseStage(stage.name) },
      preview, el("span", { class: "nm" }, stage.short), el("span", { class: "sh" }, shape));
    }

    function drawStrip(r) {
      const parts = [];
      r.stages.forEach((st, i) => {
        if (i) parts.push(el("span", { class: "cp-arrow", "aria-hidden": "true" }, "→"));
        parts.push(stageCard(st));
      });
      strip.replaceChildren(...parts);
      const ok = r.correct;
      answer.replaceChildren(
        el("div", { class: "readout" }, el("div", { class: "k" }, "P(pneumonia)"),
          el("div", { class: "v num", "data-testid": "probability" }, fmt(r.probability, 3))),
        el("div", { class: `readout ${r.prediction_name === "pneumonia" ? "orange" : "blue"}` }, el("div", { class: "k" }, "The network says"),
          el("div", { class: "v", "data-testid": "prediction" }, r.prediction_name)),
        el("div", { class: `readout ${r.label_name === "pneumonia" ? "orange" : "blue"}` }, el("div", { class: "k" }, "True label"),
          el("div", { class: "v", "data-testid": "truth" }, r.label_name),
          el("div", { class: ok ? "s cp-ok" : "s cp-no", "data-testid": "correct" }, ok ? "✓ correct" : "✗ wrong")),
        el("div", { class: "readout" }, el("div", { class: "k" }, "Accuracy on all held-out images"),
          el("div", { class: "v num", "data-testid": "accuracy" }, `${fmt(r.training.accuracy_percent, 1)} %`),
          el("div", { class: "s" }, `${fmt(r.training.n_val)} images; always answering the majority class: ${fmt(r.training.baseline_percent, 1)} %`)));
    }

    function legend(scale) {
      const ramp = scale.signed
        ? "linear-gradient(to right, var(--black), var(--mid-grey), var(--white))" : "linear-gradient(to right, var(--black), var(--white))";
      return el("div", { class: "cp-legend" }, el("span", { class: "num" }, fmt(scale.signed ? scale.min : 0, 2)),
        el("span", { class: "cp-ramp", style: { background: ramp } }), el("span", { class: "num" }, fmt(scale.max, 2)),
        el("span", {}, scale.signed ? "(mid-grey = 0, as in step 7)" : "(black = 0: nothing found there)"));
    }

    function kernelGrid(k) {
      const m = Math.max(...k.flat().map(Math.abs)) || 1;
      return el("div", { class: "cp-kernel", title: "the learned 3 × 3 filter" }, k.flat().map((v) => {
        const g = greyLevel(v, { signed: true, max: m });
        return el("div", { style: { background: greyCss(g), color: inkOn(g) } }, fmt(v, 2));
      }));
    }

    function drawDetail(r) {
      const st = r.stages.find((x) => x.name === stageName) || r.stages[1];
      const head = [el("h2", {}, `${st.title} — output: ${st.shape.length === 1 && st.shape[0] === 1 ? "one number" : st.shape.join(" × ")}`),
        el("p", { class: "note", "data-testid": "stage-what" }, st.what)];
      if (st.parameters !== undefined) head.push(el("p", { class: "small muted" }, `${fmt(st.parameters)} learned parameters in this layer.`));
      let body;
      if (st.name === "input") {
        const c = el("canvas", { "data-testid": "input-map" });
        paintMap(c, st.maps[0], st.scale);
        body = el("div", { class: "cp-big" }, c, el("div", {}, legend(st.scale),
          el("p", { class: "note" }, "Standardised: 0 is the average grey of the training images; the network's first convolution reads these 784 numbers.")));
      } else if (st.maps) {
        body = el("div", {}, legend(st.scale), el("div", { class: "cp-maps", style: "margin-top: 10px", "data-testid": "maps" },
          st.maps.map((m, i) => {
            const c = el("canvas", {});
            paintMap(c, m, st.scale);
            return el("figure", { class: "cp-map", "data-testid": `map-${i}` }, c,
              el("figcaption", {}, el("span", {}, `map ${i + 1}`), el("span", { class: "num muted" }, `max ${fmt(st.map_max[i], 2)}`)),
              st.kernels ? kernelGrid(st.kernels[i]) : null);
          })),
        st.kernels ? el("p", { class: "caption" }, "Under each map: the 3 × 3 filter the network learned for it (compare with step 7's kernels).") : null);
      } else if (st.name === "flatten") {
        const c = el("canvas", { class: "cp-flat", "data-testid": "flat" });
        const rows = [];
        for (let g = 0; g < st.groups; g++) rows.push(st.values.slice(g * 49, (g + 1) * 49));
        paintMap(c, rows, st.scale);
        c.style.aspectRatio = `${49} / ${st.groups}`;
        body = el("div", {}, c, el("p", { class: "caption" }, `The ${fmt(st.shape[0])} numbers, drawn as ${st.groups} rows of 49 (one row per 7 × 7 map).`));
      } else if (st.name === "linear") {
        const plotNode = el("div", { class: "plot", "data-testid": "contributions" });
        body = el("div", {}, ctx.math(`<mrow><mi>z</mi><mo>=</mo><munderover><mo>∑</mo><mrow><mi>i</mi><mo>=</mo><mn>1</mn></mrow><mn>${st.contributions.length * 49}</mn></munderover>`
          + `<msub><mi>w</mi><mi>i</mi></msub><msub><mi>x</mi><mi>i</mi></msub><mo>+</mo><mi>b</mi><mo>=</mo><mn>${fmt(st.logit, 3)}</mn></mrow>`, { display: "block" }),
        plotNode, el("p", { class: "caption" }, `Each bar: one feature map's share of z (its 49 values times their weights). Bias b = ${fmt(st.bias, 3)}.`));
        requestAnimationFrame(() => ctx.plot(plotNode, [{
          type: "bar", x: st.contributions.map((_, i) => `map ${i + 1}`), y: st.contributions,
          marker: { color: st.contributions.map((v) => cssVar(v >= 0 ? "--orange" : "--blue")) },
          hovertemplate: "%{x}: %{y:.3f}<extra></extra>",
        }], { yaxis: { title: { text: "share of z" }, zeroline: true }, margin: { l: 56, r: 10, t: 10, b: 40 } }));
      } else {
        body = el("div", { class: "stack", style: "gap: 10px" },
          ctx.math(`<mrow><mi>P</mi><mo stretchy="false">(</mo><mtext>pneumonia</mtext><mo stretchy="false">)</mo><mo>=</mo><mi>σ</mi><mo stretchy="false">(</mo><mi>z</mi><mo stretchy="false">)</mo><mo>=</mo>`
            + `<mfrac><mn>1</mn><mrow><mn>1</mn><mo>+</mo><msup><mi>e</mi><mrow><mo>−</mo><mo stretchy="false">(</mo><mn>${fmt(r.logit, 3)}</mn><mo stretchy="false">)</mo></mrow></msup></mrow></mfrac>`
            + `<mo>=</mo><mn>${fmt(r.probability, 3)}</mn></mrow>`, { display: "block" }),
          el("div", {}, el("div", { class: "cp-prob", title: "P(pneumonia)" }, el("div", { style: { width: `${r.probability_percent}%` } })),
            el("div", { class: "cp-scale" }, el("span", { style: "color: var(--blue)" }, "0 — normal"), el("span", {}, "0.5"),
              el("span", { style: "color: var(--orange-ink)" }, "1 — pneumonia"))),
          el("p", { class: "note" }, `Above 0.5 the answer is pneumonia, below it normal: here `, el("strong", {}, r.prediction_name),
            `. The true label is ${r.label_name}.`));
      }
      detail.replaceChildren(...head, body);
    }

    function draw(r) {
      current = r;
      drawStrip(r);
      drawDetail(r);
    }

    async function explain() {
      const r = await ctx.api(`pipeline/explain?index=${exampleIndex}`);
      if (alive) draw(r);
    }
    function chooseExample(i) { exampleIndex = i; paintExamples(); ctx.setParams({ image: i }); explain().catch((e) => ctx.notify(e.message)); }
    function chooseStage(name) {
      stageName = name;
      ctx.setParams({ stage: name });
      if (current) draw(current);
      strip.querySelector(`[data-name="${name}"]`)?.focus();
      // the stage's details are the result of the click: bring their start into view (a phone scrolls)
      const top = detail.getBoundingClientRect().top;
      if (top > window.innerHeight - 120) detail.scrollIntoView({ block: "start", behavior: "smooth" });
    }
    strip.addEventListener("keydown", (ev) => {
      const d = { ArrowRight: 1, ArrowLeft: -1 }[ev.key];
      if (!d || !current) return;
      ev.preventDefault(); ev.stopPropagation();
      const names = current.stages.map((s) => s.name);
      chooseStage(names[(names.indexOf(stageName) + d + names.length) % names.length]);
    });

    // ------------------------------------------------------------ training job
    async function showJob(job) {
      if (!alive) return;
      const running = job.status === "queued" || job.status === "running";
      bar.style.width = `${job.percent ?? 0}%`;
      progress.setAttribute("aria-valuenow", String(job.percent ?? 0));
      cancelBtn.hidden = !running;
      trainBtn.hidden = running || job.status === "done";
      // queued: how long it has waited and for what (the server says which jobs are ahead); running: for how long
      if (running) statusText.textContent = job.status === "queued"
        ? `Queued — ${job.message} (waiting ${fmt(job.waited_s ?? 0, 0)} s).`
        : `${job.message} (${fmt(job.elapsed_s, 0)} s)`;
      else if (job.status === "failed") { statusText.textContent = `Training failed: ${job.error}`; trainBtn.textContent = "Try again"; }
      else if (job.status === "cancelled") statusText.textContent = "Cancelled. Press the button to train it.";
      else if (job.status === "none") statusText.textContent = "Not trained yet on this server (about 20 seconds).";
      if (job.status === "done") {
        statusPanel.hidden = true;
        main.hidden = false;
        await explain();
      }
    }

    // The training is shared by the class: "Stop watching" only stops this page following it.
    async function detach(job) {
      if (source) { source.close(); source = null; }
      if (!job.detached) return showJob(job);
      cancelBtn.hidden = true;
      trainBtn.hidden = false;
      trainBtn.textContent = "Watch the training again";
      statusText.textContent = `Stopped watching: ${job.message}.`;
    }

    function follow() {
      if (source) source.close();
      source = new EventSource("/api/pipeline/progress");
      source.onmessage = (ev) => {
        const job = JSON.parse(ev.data);
        showJob(job).catch((e) => ctx.notify(e.message));
        if (!["queued", "running"].includes(job.status)) { source.close(); source = null; }
      };
      source.onerror = () => { if (source) { source.close(); source = null; } };
    }

    async function startTraining() {
      const job = await ctx.api("pipeline/train", {});
      await showJob(job);
      if (job.status === "queued" || job.status === "running") follow();
    }

    paintExamples();
    const job = await ctx.api("pipeline/status");
    if (job.status === "none" && ctx.params.autostart) await startTraining();
    else {
      await showJob(job);
      if (job.status === "queued" || job.status === "running") follow();
    }
    mountCheck(root, ctx, ["conv_shape", "pool_shape"]);  // the check at the end of the step (lib/check.js)
    return () => { alive = false; if (source) source.close(); };
  },
};
