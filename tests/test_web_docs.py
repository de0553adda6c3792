"""The API page (/docs) works offline: Swagger UI from a Python package, no CDN, no inline script."""

import re
from pathlib import Path

from swagger_ui_bundle import swagger_ui_path

from ml2dl.web.guard import DOCS_CSP, content_security_policy


def test_docs_page_loads_only_local_assets(client):
    r = client.get("/docs")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    html = r.text
    sources = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert "/vendor/swagger-ui/swagger-ui-bundle.js" in sources and "/vendor/swagger-ui/swagger-ui.css" in sources
    assert all(s.startswith("/") for s in sources), sources  # nothing from another host
    assert "<script>" not in html  # no inline script: the module's CSP holds here too
    assert r.headers["content-security-policy"] == DOCS_CSP


def _directives(csp: str) -> dict[str, set[str]]:
    return {d.split()[0]: set(d.split()[1:]) for d in csp.split(";") if d.strip()}


def test_the_docs_csp_is_no_looser_than_the_steps_one_in_any_directive(client):
    docs = _directives(client.get("/docs").headers["content-security-policy"])
    steps = _directives(client.get("/").headers["content-security-policy"])
    assert docs["default-src"] == {"'none'"} and docs["frame-ancestors"] == {"'none'"}
    assert docs["form-action"] == {"'none'"} and docs["base-uri"] == {"'none'"}
    for name, sources in docs.items():  # every source /docs allows, the steps' pages allow too
        if sources != {"'none'"}:
            assert sources <= steps.get(name, steps["default-src"]), name
    assert docs["style-src"] == {"'self'"} and docs["img-src"] == {"'self'", "data:"}  # data: for its icons
    assert not any("unsafe" in s for sources in docs.values() for s in sources)
    # the access form is no Swagger UI: asked for /docs without the code, it answers under the steps' CSP
    from fastapi.testclient import TestClient

    from ml2dl.web.app import create_app
    guarded = TestClient(create_app(cache_dir=client.app.state.settings.cache_dir, access_code="k7"))
    r = guarded.get("/docs")
    assert r.status_code == 401 and r.headers["content-security-policy"] == content_security_policy()


def test_swagger_ui_files_are_the_packaged_ones_and_compressed(client):
    for name in ("swagger-ui-bundle.js", "swagger-ui.css"):
        r = client.get(f"/vendor/swagger-ui/{name}", headers={"accept-encoding": "gzip"})
        assert r.status_code == 200 and r.content == (Path(swagger_ui_path) / name).read_bytes()
        assert r.headers["content-encoding"] == "gzip"  # httpx decoded it: the bytes above are the file's
    assert client.get("/vendor/swagger-ui/index.html").status_code == 404  # only the files the page uses
    assert client.get("/vendor/swagger-ui/..%2F..%2F__init__.py").status_code == 404
    assert client.get("/redoc").status_code == 404  # it would load from a CDN
    init = client.get("/static/docs.js").text
    assert '"/openapi.json"' in init
