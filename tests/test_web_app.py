"""The web shell: pages, vendor script, routers, and expected-vs-received 422 messages."""

import pytest
from fastapi.testclient import TestClient

from ml2dl.web.app import Settings, create_app, validation_message
from ml2dl.web.routes import ROUTERS, TOPICS


@pytest.fixture
def client(tmp_path):
    return TestClient(create_app(cache_dir=tmp_path))


def test_index_and_static_files_are_served(client):
    page = client.get("/")
    assert page.status_code == 200
    assert "text/html" in page.headers["content-type"]
    assert '<script type="module" src="/static/app.js">' in page.text
    assert '/vendor/plotly.min.js' in page.text
    for path in ("/static/app.js", "/static/style.css", "/static/steps/step1.js"):
        r = client.get(path)
        assert r.status_code == 200, path
        assert r.headers["cache-control"] == "no-cache"


def test_plotly_is_served_from_the_python_package(client):
    r = client.get("/vendor/plotly.min.js")
    assert r.status_code == 200
    assert "javascript" in r.headers["content-type"]
    assert len(r.content) > 1_000_000  # the real bundle, not a stub
    assert b"plotly" in r.content[:2000].lower()


def test_settings_are_stored_on_the_app(tmp_path):
    data = tmp_path / "x.npz"
    app = create_app(data_path=data, cache_dir=tmp_path / "cache")
    assert app.state.settings == Settings(data_path=data, cache_dir=tmp_path / "cache")
    assert create_app().state.settings.data_path is None


def test_every_router_is_included_and_documented(client):
    assert len(ROUTERS) >= 5  # A's five at least; B's appear as their modules land
    assert TOPICS[:1] == ["neuron"] and len(TOPICS) == 9
    paths = client.get("/openapi.json").json()["paths"]
    for prefix in ("/api/neuron", "/api/activations", "/api/layers", "/api/convolution", "/api/pooling"):
        assert prefix in paths, prefix
    assert client.get("/docs").status_code == 200
    health = client.get("/api/health").json()
    assert health["status"] == "ok" and "/api/neuron" in health["routers"]


def test_422_says_expected_and_received(client):
    r = client.post("/api/neuron", json={"x1": 42})
    assert r.status_code == 422
    assert r.json()["message"] == "x1 must be ≤ 10, got 42"
    r = client.post("/api/neuron", json={"b": -11.5, "w1": "lots", "extra": 1})
    assert r.status_code == 422
    message = r.json()["message"]
    assert "b must be ≥ -10, got -11.5" in message
    assert "w1 must be a finite number, got 'lots'" in message
    assert "extra is not a known setting" in message
    r = client.post("/api/neuron", content=b"{not json", headers={"content-type": "application/json"})
    assert r.status_code == 422 and "valid JSON" in r.json()["message"]


def test_lesson_value_errors_become_422(client):
    # kernel 5 does not fit in a 4-pixel image: a cross-field rule checked by the lesson itself.
    r = client.post("/api/convolution", json={"size": 4, "kernel": 5})
    assert r.status_code == 422
    assert r.json()["message"] == "kernel (5) must fit in the image (size 4)"


def test_validation_message_forms():
    assert validation_message({"loc": ("body", "sizes", 2), "type": "greater_than_equal",
                               "ctx": {"ge": 1}, "input": 0}) == "sizes[2] must be ≥ 1, got 0"
    assert validation_message({"loc": ("body", "fn"), "type": "literal_error",
                               "ctx": {"expected": "'a' or 'b'"}, "input": "c"}) == "fn must be one of 'a' or 'b', got 'c'"
    assert validation_message({"loc": ("body", "v"), "type": "too_long",
                               "ctx": {"max_length": 8, "actual_length": 9}, "input": []}) == "v must have at most 8 items, got 9"
    assert validation_message({"loc": ("body", "x"), "type": "missing", "input": None}) == "x is required, got nothing"


def test_serve_checks_its_arguments():
    from ml2dl.web.app import serve

    with pytest.raises(ValueError, match="port must be an int in 1..65535, got 0"):
        serve(port=0)
    with pytest.raises(ValueError, match="data must be an existing .npz file"):
        serve(data="/no/such/file.npz")
