"""Fuzzing the API from its own /openapi.json: no 5xx, every answer as the schema says.

For every JSON operation (those that start background trainings and the event streams
aside), hypothesis draws requests from the operation's schema — values on and past every
bound, wrong types, booleans for numbers, huge integers, long strings, unknown keys — and
checks each answer: never a 5xx, its status documented, a 200 holding only documented keys
(and every required one), an error in the one error shape with a short message. A stateful
phase sends the playground's training state back altered at one random place.

Bounded: a few examples per operation, no deadline per example; the whole file runs in about
a minute on a loaded 2-core machine.
"""

from __future__ import annotations

import json
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ml2dl.web.app import create_app

from test_web_openapi import undeclared

SPEC = create_app().openapi()
# The operations that start a background training say so in the schema (x-starts-training): fuzzing
# them would start trainings by the hundred, so they have their own API tests instead.
STARTS_TRAINING = {(method, path) for path, item in SPEC["paths"].items() for method, op in item.items()
                   if op.get("x-starts-training")}


def test_every_training_start_is_marked_in_the_schema():
    assert {("post", "/api/images/experiment"), ("post", "/api/rnn/train"), ("post", "/api/pipeline/train"),
            ("post", "/api/loop/run"), ("post", "/api/loop/search"), ("post", "/api/overfitting/experiment"),
            ("post", "/api/vanishing/train"), ("post", "/api/clinic/train"), ("post", "/api/clinic/cases/shortcut"),
            ("post", "/api/clinic/cases/pretrain"), ("post", "/api/clinic/cases/esteva")} <= STARTS_TRAINING


def _operations() -> list[tuple[str, str]]:
    ops = []
    for path, item in SPEC["paths"].items():
        for method, op in item.items():
            if not path.startswith("/api/") or (method, path) in STARTS_TRAINING or path.endswith("/progress"):
                continue
            body = op.get("requestBody", {}).get("content", {})
            if body and "application/json" not in body:
                continue  # the upload (multipart) has its own tests
            ops.append((method, path))
    return ops


def _resolve(schema: dict) -> dict:
    while "$ref" in schema:
        schema = SPEC["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return schema


WILD = st.one_of(st.booleans(), st.none(), st.integers(-10**30, 10**30), st.just(1e308), st.just(-0.0),
                 st.text(max_size=30), st.just("x" * 5000), st.lists(st.integers(-3, 3), max_size=5),
                 st.dictionaries(st.text(max_size=5), st.integers(), max_size=2))


def _number(schema: dict, integer: bool):
    lo = schema.get("minimum", schema.get("exclusiveMinimum", -1000))
    hi = schema.get("maximum", schema.get("exclusiveMaximum", 1000))
    edges = [lo, hi, lo - 1, hi + 1, (lo + hi) / 2]
    edges = [int(e) for e in edges] if integer else edges
    inside = st.integers(int(lo), int(hi)) if integer else st.floats(lo, hi, allow_nan=False)
    return st.one_of(st.sampled_from(edges), inside)


def from_schema(schema: dict, depth: int = 0):
    """Mostly valid values for ``schema``, sometimes just past its bounds, sometimes anything."""
    schema = _resolve(schema)
    if depth > 4:
        return st.none()
    if "anyOf" in schema:
        return st.one_of([from_schema(s, depth + 1) for s in schema["anyOf"]])
    if "const" in schema:
        return st.one_of(st.just(schema["const"]), WILD)
    if "enum" in schema:
        return st.one_of(st.sampled_from(schema["enum"]), st.text(max_size=8))
    kind = schema.get("type")
    if kind == "integer":
        value = _number(schema, True)
    elif kind == "number":
        value = _number(schema, False)
    elif kind == "boolean":
        value = st.booleans()
    elif kind == "string":
        value = st.text(max_size=40)
    elif kind == "array":
        items = schema.get("items") or {}
        if "prefixItems" in schema:
            return st.tuples(*[from_schema(s, depth + 1) for s in schema["prefixItems"]]).map(list)
        hi = min(schema.get("maxItems", 6), 6)
        value = st.lists(from_schema(items, depth + 1), min_size=min(schema.get("minItems", 0), hi),
                         max_size=hi + (1 if "maxItems" in schema else 0))
    elif kind == "object" or "properties" in schema:
        props = schema.get("properties", {})
        required = set(schema.get("required", []))
        value = st.fixed_dictionaries({k: from_schema(v, depth + 1) for k, v in props.items() if k in required},
                                      optional={k: from_schema(v, depth + 1) for k, v in props.items()
                                                if k not in required})
    else:
        value = WILD
    return st.one_of(value, value, value, WILD) if depth else value


def _check(method: str, path: str, r) -> None:
    op = SPEC["paths"][path][method]
    assert r.status_code < 500, (method, path, r.status_code, r.text[:300])
    assert str(r.status_code) in op["responses"], (method, path, r.status_code, "undocumented status")
    body = r.json()
    if r.status_code == 200:
        schema = op["responses"]["200"]["content"]["application/json"]["schema"]
        assert undeclared(body, schema, SPEC) == [], (method, path)
        missing = set(_resolve(schema).get("required", [])) - set(body)
        assert not missing, (method, path, missing)
    else:
        assert set(body) == {"message", "detail"} and isinstance(body["message"], str), body
        assert len(body["message"]) <= 600


@pytest.fixture(scope="module")
def client(tmp_path_factory, open_client):
    # the one client factory (tests/conftest.py); 5xx answered, not raised, so the test can see them
    with open_client(tmp_path_factory.mktemp("fuzz"), raise_server_exceptions=False) as c:
        yield c


FUZZ = settings(max_examples=6, deadline=None, derandomize=True, database=None,
                suppress_health_check=list(HealthCheck))


@pytest.mark.parametrize("method, path", _operations())
def test_no_request_drawn_from_the_schema_gets_a_5xx_or_an_undocumented_answer(client, method, path):
    op = SPEC["paths"][path][method]
    body_schema = op.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema")
    params = op.get("parameters", [])

    @FUZZ
    @given(body=from_schema(body_schema) if body_schema else st.none(),
           values=st.fixed_dictionaries({p["name"]: st.one_of(from_schema(p.get("schema", {})), st.text(max_size=12))
                                         for p in params}))
    def run(body, values):
        url = path
        query = {}
        for p in params:
            v = values[p["name"]]
            text = json.dumps(v) if not isinstance(v, str) else v
            if p["in"] == "path":
                # quoted, and never a dot segment (the URL would name another route)
                url = url.replace("{" + p["name"] + "}", "p" + quote(text[:50], safe=""))
            else:
                query[p["name"]] = text[:200]
        if method == "get":
            r = client.get(url, params=query)
        else:
            r = client.request(method.upper(), url, params=query, content=json.dumps(body),
                               headers={"content-type": "application/json"})
        _check(method, path, r)

    run()


def _leaves(value, path=()):
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _leaves(v, path + (k,))
    elif isinstance(value, list) and value:
        for i, v in enumerate(value[:3]):
            yield from _leaves(v, path + (i,))
    yield path


@FUZZ
@given(data=st.data())
def test_the_playground_state_sent_back_altered_is_a_200_or_a_422(client, data):
    settings_ = {"optimizer": data.draw(st.sampled_from(["sgd", "adam"])), "hidden": [3, 2]}
    first = client.post("/api/playground/train", json={"settings": settings_, "steps": 2})
    state = first.json()["state"]
    for _ in range(data.draw(st.integers(1, 3))):
        where = data.draw(st.sampled_from([p for p in _leaves(state) if p]))
        target = state
        for key in where[:-1]:
            target = target[key]
        target[where[-1]] = data.draw(st.one_of(WILD, st.floats(allow_nan=True, allow_infinity=True).map(str)))
    r = client.post("/api/playground/train", json={"settings": settings_, "state": state, "steps": 3})
    assert r.status_code in (200, 422), r.text[:300]
    _check("post", "/api/playground/train", r)
