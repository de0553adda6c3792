"""/docs under its strict CSP (ml2dl.web.guard.DOCS_CSP): Swagger UI loads, tries a call, and the browser
reports no violation of the policy."""

from ml2dl.web.guard import DOCS_CSP

RECORD = ("window.__violations = [];"
          "document.addEventListener('securitypolicyviolation',"
          " (e) => window.__violations.push(e.violatedDirective + ' ' + e.blockedURI));")


def test_swagger_ui_runs_under_the_docs_csp_without_a_violation(page):
    page.add_init_script(RECORD)  # injected by the browser driver: not subject to the page's CSP
    r = page.goto("/docs")
    assert r.headers["content-security-policy"] == DOCS_CSP
    page.wait_for_selector(".swagger-ui .opblock", timeout=30_000)
    health = page.locator("#operations-meta-health_api_health_get")
    health.locator(".opblock-summary").click()
    health.get_by_role("button", name="Try it out").click()
    health.get_by_role("button", name="Execute").click()  # a call to this server (connect-src 'self')
    health.locator(".live-responses-table .response-col_status").last.wait_for(timeout=15_000)
    assert health.locator(".live-responses-table .response-col_status").last.inner_text() == "200"
    page.wait_for_timeout(300)  # let the icons of the opened operation load (a bound, not a timing claim)
    assert page.evaluate("window.__violations") == []
