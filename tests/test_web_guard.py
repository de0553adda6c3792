"""The front door (ml2dl.web.guard) and the static files (ml2dl.web.assets), on every route."""

import gzip

import pytest
from fastapi import APIRouter

from ml2dl.web.app import STATIC_DIR, create_app
from ml2dl.web.guard import MAX_JSON_BYTES, access_token


def _client(tmp_path, **options):
    from fastapi.testclient import TestClient

    return TestClient(create_app(cache_dir=tmp_path, **options))


def test_every_response_carries_the_security_headers_and_no_server_banner(client):
    for r in (client.get("/"), client.get("/api/health"), client.get("/static/app.js"),
              client.post("/api/neuron", json={"x1": 42}), client.get("/no/such/page")):
        csp = r.headers["content-security-policy"]
        assert "script-src 'self';" in csp and "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]
        assert "frame-ancestors 'self'" in csp and "object-src 'none'" in csp
        assert r.headers["x-content-type-options"] == "nosniff"
        assert r.headers["referrer-policy"] == "same-origin"
        assert "server" not in r.headers
        assert r.headers["server-timing"].startswith("app;dur=")


def test_a_route_added_later_is_guarded_without_doing_anything(tmp_path):
    app = create_app(cache_dir=tmp_path, allowed_hosts=("testserver",))
    router = APIRouter()

    @router.post("/api/brand-new")
    def brand_new(body: dict) -> dict:
        return {"got": len(body)}

    app.include_router(router)
    from fastapi.testclient import TestClient

    c = TestClient(app)
    r = c.post("/api/brand-new", json={"a": 1})
    assert r.status_code == 200 and r.headers["x-content-type-options"] == "nosniff"
    assert c.post("/api/brand-new", json={"a": 1}, headers={"origin": "https://evil.example"}).status_code == 403
    assert c.post("/api/brand-new", content=b"a=1",
                  headers={"content-type": "application/x-www-form-urlencoded"}).status_code == 415
    assert c.post("/api/brand-new", content=b"{}", headers={"content-type": "application/json",
                                                            "content-length": str(MAX_JSON_BYTES + 1)}).status_code == 413


def test_embed_from_allows_one_course_site_to_frame_the_module(tmp_path):
    r = _client(tmp_path, embed_from=("https://course.example.org",)).get("/")
    assert "frame-ancestors 'self' https://course.example.org" in r.headers["content-security-policy"]


def test_state_changing_requests_from_another_site_are_refused(client):
    body = {"x1": 1}
    assert client.post("/api/neuron", json=body).status_code == 200  # no Origin: curl, scripts
    assert client.post("/api/neuron", json=body, headers={"origin": "http://testserver"}).status_code == 200
    r = client.post("/api/neuron", json=body, headers={"origin": "https://evil.example"})
    assert r.status_code == 403 and "https://evil.example" in r.json()["message"]
    assert client.post("/api/neuron", json=body, headers={"origin": "null"}).status_code == 403
    assert client.post("/api/neuron", json=body, headers={"sec-fetch-site": "cross-site"}).status_code == 403
    assert client.post("/api/neuron", json=body, headers={"sec-fetch-site": "same-origin"}).status_code == 200
    # a simple cross-site form post (text/plain) is not JSON: refused before any route runs
    r = client.post("/api/neuron", content=b'{"x1": 1}', headers={"content-type": "text/plain"})
    assert r.status_code == 415 and r.json()["message"].startswith("request bodies must be JSON")
    # reading is not changing: a GET from another origin is answered (and the CSP still applies)
    assert client.get("/api/health", headers={"origin": "https://evil.example"}).status_code == 200


def test_the_host_header_must_name_this_server(tmp_path):
    c = _client(tmp_path, allowed_hosts=("127.0.0.1", "localhost", "::1"))
    assert c.get("/api/health", headers={"host": "127.0.0.1:8000"}).status_code == 200
    assert c.get("/api/health", headers={"host": "[::1]:8000"}).status_code == 200
    assert c.get("/api/health", headers={"host": "LOCALHOST"}).status_code == 200
    r = c.get("/api/health", headers={"host": "attacker.example:8000"})
    assert r.status_code == 421 and "attacker.example" in r.json()["message"]


def test_bodies_are_limited_from_the_header_and_while_streaming(client):
    # refused from Content-Length alone: the body is never read
    r = client.post("/api/kernels/upload", content=b"x" * 10,
                    headers={"content-type": "multipart/form-data; boundary=b", "content-length": str(200 << 20)})
    assert r.status_code == 413 and "200" not in r.json()["message"][:5]
    assert r.json()["message"] == f"request bodies of at most {(11 << 20):,} bytes, got {(200 << 20):,}"

    def chunks():  # no Content-Length: counted as it arrives, cut off at the limit
        for _ in range(40):
            yield b" " * 65536

    r = client.post("/api/neuron", content=chunks(), headers={"content-type": "application/json"})
    assert r.status_code == 413 and r.json()["message"] == f"request bodies of at most {MAX_JSON_BYTES:,} bytes, got more"


def test_a_huge_value_is_quoted_by_a_short_prefix_only(client):
    r = client.post("/api/neuron", json={"w1": "z" * 500_000})
    assert r.status_code == 422
    assert len(r.content) < 2000 and "500,000 characters" in r.json()["message"]


def test_the_access_code_asks_for_itself_then_opens_everything(tmp_path):
    c = _client(tmp_path, access_code="k7-lung")
    page = c.get("/")
    assert page.status_code == 401 and "This class needs an access code" in page.text
    assert "<script" not in page.text  # a plain form: works under the CSP
    assert c.get("/api/health").status_code == 401
    assert "not right" not in c.get("/").text and "not right" in c.get("/?access_code=nope").text
    r = c.get("/?step=3&access_code=k7-lung", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/?step=3"
    assert access_token("k7-lung") in r.headers["set-cookie"] and "HttpOnly" in r.headers["set-cookie"]
    assert "k7-lung" not in r.headers["set-cookie"]
    c.cookies.set("ml2dl_access", access_token("k7-lung"))
    assert c.get("/").status_code == 200 and c.get("/api/health").status_code == 200


def test_the_access_form_sends_the_student_on_to_the_page_asked_for(tmp_path):
    import html
    import re
    from urllib.parse import urlencode

    c = _client(tmp_path, access_code="k7-lung")
    page = c.get("/?step=loss&hide=plot")  # a link the teacher shared
    fields = dict(re.findall(r'name="([a-z_]+)" value="([^"]*)"', page.text))
    assert page.status_code == 401 and html.unescape(fields["next"]) == "/?step=loss&hide=plot"
    # the form is sent to / with the code and that field: the answer goes back to the page asked for
    r = c.get("/?" + urlencode({"next": "/?step=loss&hide=plot", "access_code": "k7-lung"}), follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/?step=loss&hide=plot"
    # a wrong code: the form asks again and still remembers the page (never the code)
    c.cookies.clear()
    again = c.get("/?" + urlencode({"next": "/?step=loss", "access_code": "nope"}))
    assert "not right" in again.text and 'name="next" value="/?step=loss"' in again.text
    assert "nope" not in again.text
    # only a path of this site: another site, a scheme, a header split are refused (the module's page instead)
    for target in ("https://evil.example/steal", "//evil.example/x", "/\\evil.example", "javascript:alert(1)",
                   "evil.example", "/\r\nSet-Cookie: x=1", "http:/evil.example"):
        r = c.get("/?" + urlencode({"next": target, "access_code": "k7-lung"}), follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"] == "/", target
    # a page's own path with characters a header cannot carry is percent-encoded
    r = c.get("/?" + urlencode({"next": "/?step=loss&note=é", "access_code": "k7-lung"}), follow_redirects=False)
    assert r.headers["location"] == "/?step=loss&note=%C3%A9"
    c.cookies.clear()
    page = c.get('/docs"><script>x</script>')  # what the page echoes in the form is escaped
    assert "<script>x" not in page.text


@pytest.mark.parametrize("path", ["/static/app.js", "/vendor/plotly.min.js", "/"])
def test_static_files_are_gzipped_and_revalidate_with_an_etag(client, path):
    plain = client.get(path, headers={"accept-encoding": "identity"})
    r = client.get(path, headers={"accept-encoding": "gzip"})
    assert r.status_code == 200 and r.headers["content-encoding"] == "gzip"
    assert r.content == plain.content  # httpx decodes: the same bytes
    assert int(r.headers["content-length"]) < len(plain.content) / 2
    etag = r.headers["etag"]
    assert etag != plain.headers["etag"] and r.headers["vary"] == "Accept-Encoding"
    again = client.get(path, headers={"accept-encoding": "gzip", "if-none-match": etag})
    assert again.status_code == 304 and again.content == b""
    if path == "/vendor/plotly.min.js":
        assert r.headers["cache-control"] == "public, max-age=86400"
        assert len(plain.content) > 4_000_000 and int(r.headers["content-length"]) < 1_600_000
    else:
        assert r.headers["cache-control"] == "no-cache"


def test_static_paths_cannot_leave_the_static_folder(client):
    assert client.get("/static/../app.py").status_code == 404
    assert client.get("/static/%2e%2e/app.py").status_code == 404
    assert client.get("/static/nope.js").status_code == 404
    assert (STATIC_DIR / "app.js").read_bytes() == gzip.decompress(gzip.compress((STATIC_DIR / "app.js").read_bytes()))
