"""The web shell: pages, vendor script, routers, dependencies, and how errors are answered."""

import logging

import pytest

from ml2dl import __version__
from ml2dl.checks import InputError
from ml2dl.lessons import neuron as neuron_lesson
from ml2dl.web.app import Settings, create_app
from ml2dl.web.errors import validation_message
from ml2dl.web.routes import ROUTERS, TOPICS


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
    assert TOPICS[:1] == ["neuron"] and len(TOPICS) >= 9  # the nine, then the chapters that land
    paths = client.get("/openapi.json").json()["paths"]
    for prefix in ("/api/neuron", "/api/activations", "/api/layers", "/api/convolution", "/api/pooling"):
        assert prefix in paths, prefix
    assert client.get("/docs").status_code == 200
    health = client.get("/api/health").json()
    assert health["status"] == "ok" and "/api/neuron" in health["routers"]
    assert health["version"] == __version__ == client.get("/openapi.json").json()["info"]["version"]


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


def test_lesson_input_errors_become_422(client):
    # kernel 5 does not fit in a 4-pixel image: a cross-field rule checked by the lesson itself.
    r = client.post("/api/convolution", json={"size": 4, "kernel": 5})
    assert r.status_code == 422
    assert r.json() == {"message": "kernel (5) must fit in the image (size 4)",
                        "detail": "kernel (5) must fit in the image (size 4)"}


def test_any_input_error_subclass_is_a_422_with_its_message(client, monkeypatch):
    class OddInput(InputError):
        pass

    def refuse(**kw):
        raise OddInput("x1 must be odd, got 0.8")

    monkeypatch.setattr(neuron_lesson, "neuron", refuse)
    r = client.post("/api/neuron", json={})
    assert r.status_code == 422 and r.json()["message"] == "x1 must be odd, got 0.8"


@pytest.mark.parametrize("error", [RuntimeError("lost /secret/path 0x7f"), ValueError("lost /secret/path 0x7f"),
                                   KeyError("/secret/path")])
def test_a_bug_is_a_500_without_internals_and_its_traceback_is_logged(open_client, tmp_path, monkeypatch, caplog,
                                                                      error):
    def broken(**kw):
        raise error

    monkeypatch.setattr(neuron_lesson, "neuron", broken)
    with open_client(tmp_path, raise_server_exceptions=False) as client, caplog.at_level(logging.ERROR, "ml2dl.web"):
        r = client.post("/api/neuron", json={})
    assert r.status_code == 500
    body = r.json()
    assert set(body) == {"message", "detail"}
    assert body["message"].startswith("internal error ") and "server's log" in body["message"]
    assert "secret" not in r.text and "Traceback" not in r.text and type(error).__name__ not in r.text
    error_id = body["message"].split()[2].rstrip(":")
    (record,) = [rec for rec in caplog.records if rec.name == "ml2dl.web" and rec.levelno == logging.ERROR]
    assert error_id in record.getMessage() and "/api/neuron" in record.getMessage()
    assert record.exc_info[1] is error  # the whole traceback goes to the log
    assert "/secret/path" in caplog.text and "Traceback" in caplog.text


def test_routes_get_the_upload_store_as_a_dependency(client, tmp_path):
    from ml2dl.data.uploads import UploadStore
    from ml2dl.web.deps import get_uploads

    small = UploadStore(tmp_path / "other", max_bytes=2 * 2**20, max_side=64)
    client.app.dependency_overrides[get_uploads] = lambda: small
    body = client.get("/api/kernels/samples").json()
    assert (body["max_upload_bytes"], body["max_upload_mb"], body["max_side"]) == (2 * 2**20, 2, 64)
    assert client.post("/api/kernels/apply", json={"image": "sample:retina"}).json()["width"] == 64
    client.app.dependency_overrides.clear()
    assert client.post("/api/kernels/apply", json={"image": "sample:retina"}).json()["width"] == 512


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
    with pytest.raises(InputError, match="data must be an existing .npz file"):
        serve(data="/no/such/file.npz")
    with pytest.raises(InputError, match=r"workers must be an int in \[1, 16\], got 0"):
        serve(workers=0)
