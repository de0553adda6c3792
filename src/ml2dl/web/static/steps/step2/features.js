// Step 2's input features (x₁, x₂, x₁², x₂², x₁x₂, sin 4x₁, sin 4x₂ — ml2dl.lessons.playground_features):
// one checkbox each, and the spiral challenge's card worded from the figures the server measured.

const CSS = `
.pg-features { display: flex; flex-wrap: wrap; gap: 6px; margin: 0 0 10px; padding: 0; border: 0; }
.pg-features legend { font-size: .8rem; color: var(--muted); font-weight: 650; padding: 0; margin-bottom: 4px; width: 100%; }
.pg-feature { display: inline-flex; align-items: center; gap: 5px; border: 1px solid var(--line); border-radius: 999px;
  padding: 3px 10px 3px 6px; font-family: var(--math); font-size: .95rem; cursor: pointer; background: var(--white); }
.pg-feature:has(input:checked) { border-color: var(--blue); background: color-mix(in srgb, var(--blue) 10%, var(--white)); }
.pg-feature:has(input:focus-visible) { outline: 2px solid var(--blue); outline-offset: 2px; }
.pg-feature:has(input:disabled) { cursor: not-allowed; }
`;

/**
 * featureToggles(ctx, {choices, labels, get, onChange}) -> {node, paint()}
 *   choices     the feature names the server offers (GET /api/playground/options: features)
 *   labels      how each is written (feature_labels)
 *   get()       the chosen features now
 *   onChange(f) the student chose the features f (in the order of choices; never empty)
 * The last checked box is disabled: the network needs at least one input.
 */
export function featureToggles(ctx, { choices, labels, get, onChange }) {
  const { el } = ctx;
  ctx.injectStyle("step2-features-style", CSS);
  const boxes = choices.map((f) => el("input", {
    type: "checkbox", "data-testid": `feature-${f}`, value: f,
    onchange: () => onChange(choices.filter((c, i) => boxes[i].checked)),
  }));
  const node = el("fieldset", { class: "pg-features", "data-control": "features", "data-testid": "features" },
    el("legend", {}, "Inputs: what the network is given of each point"),
    choices.map((f, i) => el("label", { class: "pg-feature", title: `input ${labels[f] ?? f}` }, boxes[i], labels[f] ?? f)));
  function paint() {
    const on = new Set(get());
    boxes.forEach((b, i) => { b.checked = on.has(choices[i]); });
    boxes.forEach((b) => {
      b.disabled = b.checked && on.size === 1;
      b.title = b.disabled ? "The network needs at least one input" : "";
    });
  }
  paint();
  return { node, paint };
}

const range = (xs, fmt) => {
  const lo = Math.min(...xs), hi = Math.max(...xs);
  return lo === hi ? `${fmt(lo, 1)} %` : `${fmt(lo, 1)}–${fmt(hi, 1)} %`;
};

/**
 * spiralCard(c, {labels, fmt, canChooseFeatures}) -> {title, text, set, answer}: the spiral challenge
 * (options.spiral_challenge), every figure as the server measured it over the seeds it names.
 */
export function spiralCard(c, { labels, fmt, canChooseFeatures, actLabel }) {
  const st = c.settings;
  const seeds = c.seeds.length > 1 ? `seeds ${c.seeds[0]}–${c.seeds.at(-1)}` : `seed ${c.seeds[0]}`;
  const names = (fs) => fs.map((f) => labels[f] ?? f).join(" and ");
  const same = st.hidden.every((h) => h === st.hidden[0]);
  const net = `${st.hidden.length} layer${st.hidden.length > 1 ? "s" : ""} of ${same ? st.hidden[0] : st.hidden.join(", ")} `
    + `${actLabel(st.activation)} neurons (${st.optimizer === "adam" ? "Adam" : "gradient descent"}, η = ${st.learning_rate})`;
  const plain = `With ${names(st.features)} alone, ${net} reach ${range(c.plain_percent, fmt)} test accuracy `
    + `after ${fmt(c.steps)} steps (measured, ${seeds}). `;
  const hint = canChooseFeatures
    ? `Two of the input features above the network take them to ${range(c.route_percent, fmt)}: find them.`
    : `With ${names(c.route)} as inputs too they reach ${range(c.route_percent, fmt)}.`;
  const n = c.noisy;
  const answer = `${names(c.route)}: waves across the plane. With them the first layer's neurons combine curved, `
    + `wave-shaped edges instead of straight ones only, and a few of those follow the arms. `
    + `Measured over ${seeds}: ${range(c.route_percent, fmt)} after ${fmt(c.steps)} steps, against ${range(c.plain_percent, fmt)} `
    + `without. The noise is 0 because at noise ${fmt(n.noise)} the two arms overlap: even a ${n.neighbours}-nearest-neighbour `
    + `vote over ${fmt(n.train_points)} points gets only ${fmt(n.percent, 1)} % of ${fmt(n.test_points)} new points right.`;
  return {
    id: "spiral", title: "The spiral (hard)", text: `Noise 0. ${plain}${hint}`, answer,
    set: { problem: st.problem, noise: st.noise, hidden: [...st.hidden], act: st.activation, opt: st.optimizer,
      lr: st.learning_rate, batch: st.batch_size, features: [...st.features] },
  };
}
