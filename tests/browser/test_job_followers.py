"""Two students on one job (lib/job.js and the server's follower count): a page that finds the job running
joins it, and leaving it (new settings) only detaches that page; the job runs to the end for the other."""

import pytest

pytestmark = pytest.mark.browser

LONG = "depth=12&epochs=100&seed=13"  # the longest training the vanishing page offers, a seed of its own here


def _is_post(path):
    return lambda r: r.request.method == "POST" and r.url.endswith(path)


def test_a_student_who_leaves_a_job_someone_else_follows_does_not_stop_it(page, base_url, open_step):
    with page.expect_response(_is_post("/api/vanishing/train")) as started:
        open_step(page, "vanishing", LONG)  # student A: autostart
    assert started.value.json()["status"] in ("queued", "running")
    other = page.context.new_page()  # student B opens the same settings while it trains
    with other.expect_response(_is_post("/api/vanishing/train")) as joined:
        open_step(other, "vanishing", LONG)
    assert joined.value.json()["status"] in ("queued", "running")  # B found it running and joined it
    with other.expect_response(_is_post("/api/vanishing/train/cancel")) as left:
        other.get_by_test_id("lr").select_option("0.3")  # B moves on to other settings: B leaves the job
    answer = left.value.json()
    assert answer["detached"] is True and answer["others"] == 1, answer  # A still follows it
    assert answer["message"] == "1 other is following this training: it keeps running for them"
    # A's page runs to the end
    page.wait_for_function("() => document.querySelector('[data-testid=status]').innerText"
                           ".startsWith('The three networks trained')", timeout=180_000)
    snap = page.request.get(f"{base_url}/api/vanishing/train?{LONG}&lr=0.1").json()
    assert snap["status"] == "done", snap
    other.close()
