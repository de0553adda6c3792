"""/openapi.json documents every answer of the API, and the answers say nothing it does not document."""

import io
import re
import time

import numpy as np
from PIL import Image

from ml2dl import __version__

# One request per operation that answers JSON (the two progress streams are checked by schema only).
REQUESTS = [
    ("get", "/api/health", None), ("post", "/api/neuron", {}), ("post", "/api/activations", {}),
    ("post", "/api/activations", {"fn": "softmax"}), ("post", "/api/activations/stack", {}),
    ("post", "/api/layers", {}), ("post", "/api/convolution", {}),
    ("post", "/api/convolution/quiz", {"fc_answer": 1010}), ("post", "/api/pooling", {}),
    ("get", "/api/kernels/presets", None), ("get", "/api/kernels/samples", None),
    ("post", "/api/kernels/apply", {"include_original": True}), ("post", "/api/kernels/pixel", {"row": 0, "col": 5}),
    ("post", "/api/playground/train", {"steps": 1, "settings": {"hidden": [2, 2]}}),
    ("post", "/api/playground/train", {"steps": 1, "settings": {"hidden": []}, "include_points": False}),
    ("get", "/api/playground/options", None), ("get", "/api/images/view?index=2", None),
    ("get", "/api/images/experiment", None), ("get", "/api/pipeline/status", None),
    ("get", "/api/pipeline/examples", None), ("get", "/api/loop/options", None), ("post", "/api/loop/plan", {}),
]


def _resolve(schema: dict, spec: dict) -> dict:
    while "$ref" in schema:
        schema = spec["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return schema


def undeclared(value, schema: dict, spec: dict, where: str = "") -> list[str]:
    """Paths of the keys in ``value`` that ``schema`` does not name (recursively)."""
    schema = _resolve(schema, spec)
    if "anyOf" in schema:
        options = [_resolve(s, spec) for s in schema["anyOf"]]
        kind = "object" if isinstance(value, dict) else "array" if isinstance(value, list) else None
        matching = [s for s in options if s.get("type") == kind or (kind == "object" and "properties" in s)]
        return undeclared(value, matching[0], spec, where) if matching and kind else []
    missing = []
    if isinstance(value, dict):
        props = schema.get("properties")
        extra = schema.get("additionalProperties")
        patterns = schema.get("patternProperties", {})
        for key, item in value.items():
            matched = [p for p in patterns if re.search(p, key)]
            if props is not None and key in props:
                missing += undeclared(item, props[key], spec, f"{where}.{key}")
            elif matched:
                missing += undeclared(item, patterns[matched[0]], spec, f"{where}.{key}")
            elif isinstance(extra, dict) and extra:
                missing += undeclared(item, extra, spec, f"{where}.{key}")
            elif props is not None or extra is not True:
                missing.append(f"{where}.{key}")
    elif isinstance(value, list) and isinstance(schema.get("items"), dict):
        for i, item in enumerate(value[:3]):
            missing += undeclared(item, schema["items"], spec, f"{where}[{i}]")
    return missing


def _response_schema(spec, method, path):
    op = spec["paths"][path.split("?")[0]][method]
    return op["responses"]["200"]["content"]["application/json"]["schema"]


def test_every_api_operation_has_a_response_schema(client):
    spec = client.get("/openapi.json").json()
    assert spec["info"]["version"] == __version__
    ops = [(path, method, op) for path, item in spec["paths"].items() if path.startswith("/api/")
           for method, op in item.items()]
    assert len(ops) >= 26, sorted((m, p) for p, m, _ in ops)  # the nine steps and health
    for path, method, op in ops:
        content = op["responses"]["200"].get("content", {})
        assert content, f"{method} {path}: no 200 content"
        for media, body in content.items():
            schema = _resolve(body.get("schema") or {}, spec)
            assert schema.get("properties"), f"{method} {path} ({media}): empty response schema {schema}"
        if method == "post" and path not in ("/api/images/experiment", "/api/images/experiment/cancel",
                                             "/api/pipeline/train", "/api/pipeline/cancel",
                                             "/api/loop/run/{fp}/cancel", "/api/loop/search/{fp}/cancel"):
            assert "requestBody" in op, f"{method} {path}: no request model"


def test_responses_only_hold_documented_keys(client):
    spec = client.get("/openapi.json").json()
    for method, path, body in REQUESTS:
        r = getattr(client, method)(path, **({} if body is None else {"json": body}))
        assert r.status_code == 200, (path, r.text)
        assert undeclared(r.json(), _response_schema(spec, method, path), spec) == [], (method, path, body)
    png = io.BytesIO()
    Image.fromarray(np.random.default_rng(0).integers(0, 256, (20, 30), dtype=np.uint8)).save(png, format="PNG")
    r = client.post("/api/kernels/upload", files={"file": ("a.png", png.getvalue(), "image/png")})
    assert undeclared(r.json(), _response_schema(spec, "post", "/api/kernels/upload"), spec) == []


def test_job_responses_only_hold_documented_keys(client):
    """The tiny trainings of steps 5 and 9: snapshots while running and done, the stage outputs."""
    spec = client.get("/openapi.json").json()
    for start, status in (("/api/pipeline/train", "/api/pipeline/status"),
                          ("/api/images/experiment", "/api/images/experiment")):
        snaps = [client.post(start).json()]
        deadline = time.monotonic() + 120
        while snaps[-1]["status"] not in ("done", "failed", "cancelled"):
            assert time.monotonic() < deadline, snaps[-1]
            time.sleep(0.05)
            snaps.append(client.get(status).json())
        assert snaps[-1]["status"] == "done", snaps[-1]
        for snap in snaps:
            assert undeclared(snap, _response_schema(spec, "post", start), spec) == [], snap["status"]
    r = client.get("/api/pipeline/explain?index=1")
    assert r.status_code == 200
    assert undeclared(r.json(), _response_schema(spec, "get", "/api/pipeline/explain"), spec) == []


def test_an_undocumented_key_is_found():
    """The checker itself: a key the schema does not name is reported, nested ones too."""
    spec = {"components": {"schemas": {"A": {"properties": {"x": {"type": "integer"},
                                                             "b": {"$ref": "#/components/schemas/B"}}},
                                       "B": {"properties": {"y": {"type": "number"}}}}}}
    schema = {"$ref": "#/components/schemas/A"}
    assert undeclared({"x": 1, "b": {"y": 2}}, schema, spec) == []
    assert undeclared({"x": 1, "z": 3, "b": {"y": 2, "w": 0}}, schema, spec) == [".z", ".b.w"]
