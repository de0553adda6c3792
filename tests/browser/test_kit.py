"""The front-end kit (static/lib) in a real browser: typed URL parameters (clamped, written back),
hide= for declared controls in several steps and for every step of the registry (what it draws is
documented, hidden when asked, and no empty panel is left), and the Player by keyboard."""

import re
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest

pytestmark = pytest.mark.browser


def query(page) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlparse(page.url).query, keep_blank_values=True).items()}


# ---------------------------------------------------------------- URL parameters: clamp and write back

def test_step2_learning_rate_out_of_range_snaps_to_the_nearest_offered_rate(page, open_step):
    open_step(page, 2, "lr=999&noise=7&seed=-3&hidden=20,0,3,3,3&batch=abc")
    # the page's largest rate is 3; noise ≤ 0.5 and seed ≥ 0 are the request model's limits
    assert page.get_by_test_id("lr").input_value() == "3"
    assert page.get_by_test_id("noise").input_value() == "0.5"
    q = query(page)
    assert q["lr"] == "3"
    assert q["noise"] == "0.5"
    assert q["seed"] == "0"
    assert q["hidden"] == "8,1,3,3"      # each layer 1…8 neurons, at most 4 layers
    assert q["batch"] == "10"            # unreadable: the default
    assert page.get_by_test_id("hidden-layers").inner_text() == "4"
    # 2·8+8 + 8·1+1 + 1·3+3 + 3·3+3 + 3·1+1 = 55 parameters: the clamped network is the one trained
    assert page.get_by_test_id("parameters").inner_text() == "55"


def test_step1_values_are_clamped_to_the_slider_range_and_the_url_rewritten(page, open_step):
    open_step(page, 1, "w1=99&x1=banana")
    assert page.get_by_test_id("w1").input_value() == "3"
    q = query(page)
    assert q["w1"] == "3"
    assert q["x1"] == "0.8"                                   # unreadable: the worked example's value
    assert {"x2", "w2", "b"} <= q.keys()                      # the whole state is in the URL
    # z = 3·0.8 − 0.5·0.3 + 0.1 = 2.35
    assert page.get_by_test_id("z").inner_text() == "2.35"


def test_step8_even_size_and_seed_range(page, open_step):
    open_step(page, 8, "size=7&seed=5000")
    q = query(page)
    assert q["size"] == "8"          # snapped to 4 + 2k
    assert q["seed"] == "99"         # the control's range
    assert page.get_by_test_id("pool-sizes").inner_text() == "8 → 4"


def test_unknown_choice_falls_back_and_transient_flags_stay_as_given(page, open_step):
    open_step(page, 3, "fn=banana&k=0")
    q = query(page)
    assert q["fn"] == "sigmoid"
    assert q["k"] == "1"
    assert page.get_by_test_id("fn-sigmoid").get_attribute("aria-checked") == "true"


def test_changes_are_written_back_with_their_type(page, open_step):
    open_step(page, 6)
    page.get_by_test_id("kernel-5").click()
    page.wait_for_function("new URLSearchParams(location.search).get('kernel') === '5'")
    page.get_by_test_id("size").fill("600")  # the number box clamps to its declared maximum
    page.wait_for_function("new URLSearchParams(location.search).get('size') === '512'")


# ---------------------------------------------------------------- hide=

@pytest.mark.parametrize("step, hide, gone, shown", [
    (2, "lr,problem,noise,test,seed", ["lr", "problem-xor", "noise", "noise-slider", "show-test", "new-data"], ["act", "batch", "play"]),
    (2, "l2,dropout", ["l2", "dropout"], ["lr", "batch"]),
    (3, "seed,act,v", ["seed", "act-on", "vec-0"], ["k", "z"]),
    (6, "kernel,quiz", ["kernel-3", "quiz", "quiz-fc"], ["size", "neurons"]),
    (7, "display,preset,upload,image", ["display-auto", "preset-sharpen", "upload", "sample-retina"], ["k-0-0"]),
    (8, "size", ["size", "size-slider"], ["seed", "new-grid"]),
    (9, "image", ["example-0"], []),
])
def test_hide_hides_declared_controls(page, open_step, step, hide, gone, shown):
    open_step(page, step, f"hide={hide}&autostart=0")
    for name in hide.split(","):
        containers = page.locator(f"[data-control='{name}']")
        for i in range(containers.count()):
            assert containers.nth(i).is_hidden(), f"step {step}: the {name} control is still visible"
    for testid in gone:  # not drawn at all, or drawn inside a hidden container
        node = page.get_by_test_id(testid)
        assert node.count() == 0 or node.first.is_hidden(), f"step {step}: {testid} is visible"
    for testid in shown:
        assert page.get_by_test_id(testid).first.is_visible(), f"step {step}: {testid} should be visible"
    assert f"hide={hide}" in page.url


def test_a_hidden_control_keeps_its_url_value(page, open_step):
    open_step(page, 8, "hide=size&size=12")
    assert page.get_by_test_id("size").count() == 0
    assert page.get_by_test_id("pool-sizes").inner_text() == "12 → 6"


# ---------------------------------------------------------------- the Player, by keyboard

def test_player_play_pause_and_step_by_keyboard(page, open_step):
    open_step(page, 2, "problem=xor&hidden=4")
    play = page.get_by_test_id("play")
    count = page.get_by_test_id("step-count")
    assert count.inner_text() == "0"
    play.focus()
    page.keyboard.press("Space")
    assert play.get_attribute("aria-pressed") == "true"
    assert play.get_attribute("aria-label") == "Pause"
    page.wait_for_function("parseInt(document.querySelector('[data-testid=step-count]').innerText.replace(/,/g, '')) >= 30")
    page.keyboard.press("Enter")  # the focused button again: pause
    assert play.get_attribute("aria-pressed") == "false"
    assert play.get_attribute("aria-label") == "Play"
    page.wait_for_selector("[data-testid=play]:not([data-running])")
    paused = int(count.inner_text().replace(",", ""))
    assert paused % 10 == 0 and paused >= 30
    page.keyboard.press("Tab")  # the step button comes next
    assert page.evaluate("document.activeElement.dataset.testid") == "step-once"
    page.keyboard.press("Enter")
    page.wait_for_function("(n) => document.querySelector('[data-testid=step-count]').innerText === n",
                           arg=f"{paused + 10:,}")
    assert play.get_attribute("aria-pressed") == "false"


# ---------------------------------------------------------------- every declared control, every step

DECLARATION = """async (n) => {
  const { api } = await import('/static/lib/api.js');
  const step = (await import(`/static/steps/step${n}.js`)).default;
  const options = step.options ? await step.options(api) : null;
  const d = typeof step.params === 'function' ? step.params(options) : step.params;
  return Object.entries(d).filter(([, spec]) => !spec.transient).map(([name]) => name);
}"""


@pytest.mark.parametrize("step", range(1, 10))
def test_every_declared_parameter_has_a_control_that_hide_hides(page, open_step, step):
    open_step(page, step, "autostart=0")
    names = page.evaluate(DECLARATION, step)
    assert names, f"step {step} declares no parameters"
    q = query(page)
    for name in names:  # the whole declared state is in the URL…
        # (preset/kernel: step 7 writes the one that is in use; data: step 2's points of a loaded CSV,
        # written once a file is loaded — test_step2_csv)
        assert name in q or name in ("preset", "kernel", "data"), f"step {step}: {name} not written to the URL"
        # …and each parameter has a labelled control container
        assert page.locator(f"[data-control='{name}']").count() > 0, f"step {step}: no control for {name}"
    open_step(page, step, "autostart=0&hide=" + ",".join(names))
    for name in names:
        containers = page.locator(f"[data-control='{name}']")
        for i in range(containers.count()):
            assert containers.nth(i).is_hidden(), f"step {step}: {name} still visible"


# ---------------------------------------------------------------- the parser itself

CASES = [
    # spec, URL text, expected value
    ({"type": "int", "default": 3, "min": 1, "max": 8}, "5.6", 6),
    ({"type": "int", "default": 3, "min": 1, "max": 8}, "-4", 1),
    ({"type": "int", "default": 3, "min": 1, "max": 8}, "x", 3),
    ({"type": "int", "default": 8, "min": 4, "max": 17, "step": 2}, "17", 16),
    ({"type": "int", "default": 8, "min": 4, "max": 16, "step": 2}, "9", 10),
    ({"type": "float", "default": 0.1, "min": 0, "max": 0.5}, "0.25", 0.25),
    ({"type": "float", "default": 0.1, "min": 0, "max": 0.5}, "", 0.1),
    ({"type": "float", "default": 0.1, "min": 0, "max": 0.5}, "Infinity", 0.1),
    ({"type": "choice", "default": "a", "choices": ["a", "b"]}, "b", "b"),
    ({"type": "choice", "default": "a", "choices": [{"value": "a", "label": "A"}, {"value": "b", "label": "B"}]}, "c", "a"),
    ({"type": "choice", "default": 0.3, "choices": [0.01, 0.3, 3]}, "0.02", 0.01),
    ({"type": "choice", "default": 0.3, "choices": [0.01, 0.3, 3]}, "999", 3),
    ({"type": "bool", "default": True}, "0", False),
    ({"type": "bool", "default": False}, "on", True),
    ({"type": "bool", "default": True}, "maybe", True),
    ({"type": "list", "of": "int", "default": [4], "min": 1, "max": 8, "maxLength": 4, "empty": "none"}, "none", []),
    ({"type": "list", "of": "int", "default": [4], "min": 1, "max": 8, "maxLength": 4, "empty": "none"}, "9,2.4,0,5,5", [8, 2, 1, 5]),
    ({"type": "list", "of": "int", "default": [4], "min": 1, "max": 8, "maxLength": 4, "empty": "none"}, "3,x", [4]),
    ({"type": "list", "of": "float", "default": None, "min": -2, "max": 2, "minLength": 9, "maxLength": 9}, "1,2", None),
    ({"type": "list", "of": "float", "default": [1, 2], "min": -20, "max": 20, "minLength": 2}, "-30,0.5", [-20, 0.5]),
    ({"type": "list", "of": "choice", "choices": ["x1", "x2", "sin1"], "default": ["x1"], "minLength": 1}, "sin1,x9,x1,x1", ["x1", "sin1"]),
    ({"type": "list", "of": "choice", "choices": ["x1", "x2", "sin1"], "default": ["x1"], "minLength": 1}, "x9", ["x1"]),
]


def test_parse_param_reads_clamps_and_falls_back(page, open_step):
    open_step(page, 4)
    got = page.evaluate("""async (cases) => {
      const { parseParam, formatParam } = await import('/static/lib/params.js');
      return cases.map(([spec, text]) => {
        const v = parseParam(spec, text);
        return [v, v === null ? null : parseParam(spec, formatParam(spec, v))];  // and a URL round trip
      });
    }""", [[spec, text] for spec, text, _ in CASES])
    for (spec, text, want), (value, again) in zip(CASES, got):
        assert value == want, f"{spec['type']} {text!r}: got {value!r}, want {want!r}"
        assert again == (None if want is None else want), f"{spec['type']} {text!r}: round trip gave {again!r}"


# ---------------------------------------------------------------- hide= on every step of the registry

STATIC = Path(__file__).resolve().parents[2] / "src" / "ml2dl" / "web" / "static"
REGISTRY = re.findall(r'\{ name: "([a-z0-9-]+)"(?:, number: (\d+))?', (STATIC / "steps" / "registry.js").read_text())


def documented_names() -> dict[str, set[str]]:
    """{step name: the names static/README.md's hide= table gives for it} (every `backticked` word of its row)."""
    number = {n: name for name, n in REGISTRY if n}
    table = (STATIC / "README.md").read_text().split("## Control names a teacher can hide", 1)[1].split("\n## ", 1)[0]
    out = {}
    for row in re.findall(r"^\| ([^|]+) \| (.+) \|$", table, re.M):
        key = row[0].strip().strip("`")
        out[number.get(key, key)] = set(re.findall(r"`([^`]+)`", row[1]))
    return out


# Visible panels or groups of controls that show nothing but their heading (what hide= must never leave).
EMPTY_PANELS = """() => {
  const seen = (e) => e.checkVisibility();
  const shows = (e) => seen(e) && !e.closest("h1, h2, h3, h4, legend")
    && (["CANVAS", "IMG", "INPUT", "SELECT", "BUTTON", "TEXTAREA", "svg"].includes(e.tagName)
        || [...e.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim()));
  return [...document.querySelectorAll("#step-root .panel, #step-root fieldset.group")]
    .filter((p) => seen(p) && ![...p.querySelectorAll("*")].some(shows))
    .map((p) => (p.querySelector("h2, h3, legend") || p).textContent.trim().slice(0, 60) || p.className);
}"""


@pytest.fixture(scope="module")
def a_clinic_run(base_url):
    """A tiny clinic run on the session server, so the clinic pages draw their controls, not "train a run first"."""
    import json
    import time
    import urllib.request

    def call(path, body=None):
        req = urllib.request.Request(base_url + path, data=None if body is None else json.dumps(body).encode(),
                                     headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=60) as r:
            return json.loads(r.read())

    run = call("/api/clinic/train", {"n_train": 64, "epochs": 1, "width": 4, "batch_size": 32})["run"]
    deadline = time.monotonic() + 300  # a bound for a loaded machine, not a timing claim
    while (status := call(f"/api/clinic/status?run={run}")["status"]) in ("queued", "running"):
        assert time.monotonic() < deadline, status
        time.sleep(0.3)
    assert status == "done", status
    return run


@pytest.mark.parametrize("step", [name for name, _ in REGISTRY])
def test_every_step_hides_its_documented_controls_and_leaves_no_empty_panel(page, open_step, a_clinic_run, step):
    open_step(page, step, "autostart=0")
    drawn = set(page.evaluate("() => [...document.querySelectorAll('#step-root [data-control]')].map((n) => n.dataset.control)"))
    documented = documented_names().get(step, set()) | {"check"}  # the table: "Every step with a check at its end: `check`"
    assert drawn <= documented, f"{step}: controls drawn but not in static/README.md's hide= table: {sorted(drawn - documented)}"
    assert page.evaluate(EMPTY_PANELS) == [], f"{step}: an empty panel before anything is hidden"
    if not drawn:
        return
    open_step(page, step, "autostart=0&hide=" + ",".join(sorted(drawn)))
    for name in drawn:
        containers = page.locator(f"#step-root [data-control='{name}']")
        for i in range(containers.count()):
            assert containers.nth(i).is_hidden(), f"{step}: {name} still visible with hide={name}"
    assert page.evaluate(EMPTY_PANELS) == [], f"{step}: hide= left an empty panel"
