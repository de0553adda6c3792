"""Two students on one job (lib/job.js and the server's follower count): a page that finds the job running
joins it, and leaving it (new settings) only detaches that page; the job runs on for the other, whose
Cancel then stops it.

The job is the overfitting step's longest experiment (five networks, 400 images, 100 epochs each): it runs
for minutes, so it is still running while the two pages come and go, however fast the machine.
"""

import pytest

pytestmark = pytest.mark.browser

LONG = "n=400&epochs=100&dropout=0.5&l2=0.1&augment=1"
BODY = {"n_train": 400, "epochs": 100, "dropout": 0.5, "l2": 0.1, "augment": True}
STATE = "/api/overfitting/experiment?n_train=400&epochs=100&dropout=0.5&l2=0.1&augment=true"


def _is_post(path):
    return lambda r: r.request.method == "POST" and r.url.endswith(path)


def test_a_student_who_leaves_a_job_someone_else_follows_does_not_stop_it(page, base_url, open_step):
    with page.expect_response(_is_post("/api/overfitting/experiment")) as started:
        open_step(page, "overfitting", LONG)  # student A: autostart
    assert started.value.json()["status"] in ("queued", "running")
    other = page.context.new_page()  # student B opens the same settings while it trains
    with other.expect_response(_is_post("/api/overfitting/experiment")) as joined:
        open_step(other, "overfitting", LONG)
    assert joined.value.json()["status"] in ("queued", "running")  # B found it running and joined it
    with other.expect_response(_is_post("/api/overfitting/experiment/cancel")) as left:
        other.get_by_test_id("epochs").select_option("20")  # B moves on to other settings: B leaves the job
    answer = left.value.json()
    assert answer["detached"] is True and answer["others"] == 1, answer  # A still follows it
    assert answer["message"] == "1 other is following this training: it keeps running for them"
    assert page.request.get(f"{base_url}{STATE}").json()["status"] in ("queued", "running")  # it runs on for A
    # A, the last one following it, stops it
    with page.expect_response(_is_post("/api/overfitting/experiment/cancel")) as stopped:
        page.get_by_test_id("cancel").click()
    assert not stopped.value.json().get("detached"), stopped.value.json()
    page.get_by_test_id("cancel").wait_for(state="hidden", timeout=60_000)  # the page saw it end
    assert page.request.get(f"{base_url}{STATE}").json()["status"] == "cancelled"
    # B's own new run (20 epochs) is B's alone: B's cancel stops it (the session server's pool is left free)
    r = page.request.post(f"{base_url}/api/overfitting/experiment/cancel", data={**BODY, "epochs": 20})
    assert r.ok and not r.json().get("detached"), r.text()
    other.close()
