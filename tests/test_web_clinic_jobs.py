"""The cases page's two jobs stop when asked: the hospital-marker experiment and pre-training, each
started with its longest settings and cancelled at once, end "cancelled" with no result, and start
anew when asked again (a cancelled job is not a result on record). Pre-training runs on a folder of
PNGs the test writes (``ml2dl serve --data FOLDER``), so it needs no downloaded data.

No timing is asserted: the waits are bounds for a loaded machine. The longest settings (minutes of
training) only make sure the job cannot finish before the cancel, which is sent right after the start.
"""

import time

import pytest

from test_web_data_folder import write_folder

SHORTCUT = {"n_train": 2000, "epochs": 10, "seed": 0}
PRETRAIN = {"n_real": 64, "n_synthetic": 3000, "epochs": 10, "seed": 0}


def settle(client, route, settings, timeout=300):
    deadline = time.monotonic() + timeout
    while (snap := client.get(f"/api/clinic/cases/{route}/status", params=settings).json())["status"] in ("queued", "running"):
        assert time.monotonic() < deadline, f"{route} still {snap['status']} after {timeout} s"
        time.sleep(0.2)
    return snap


def start_then_cancel(client, route, settings):
    started = client.post(f"/api/clinic/cases/{route}", json=settings)
    assert started.status_code == 200, started.text
    assert started.json()["status"] in ("queued", "running")
    answer = client.post(f"/api/clinic/cases/{route}/cancel", json=settings)
    assert answer.status_code == 200 and answer.json()["status"] in ("queued", "running", "cancelled")
    return settle(client, route, settings)


@pytest.mark.parametrize("route, settings", [("shortcut", SHORTCUT), ("pretrain", PRETRAIN)])
def test_a_cancelled_case_job_stops_keeps_no_result_and_runs_again_when_asked(open_client, tmp_path, route, settings):
    root = tmp_path / "xrays"
    write_folder(root)
    with open_client(tmp_path / "cache", data_path=root) as client:
        snap = start_then_cancel(client, route, settings)
        assert snap["status"] == "cancelled" and snap.get("result") is None, snap
        # other settings were never started: cancelling one job touches no other
        other = {**settings, "seed": 1}
        assert client.get(f"/api/clinic/cases/{route}/status", params=other).json()["status"] == "none"
        # asked again, the cancelled job starts anew (not "done", not refused), and stops again
        again = start_then_cancel(client, route, settings)
        assert again["status"] == "cancelled", again


def test_a_student_leaving_the_shortcut_job_another_follows_does_not_stop_it(open_client, tmp_path):
    with open_client(tmp_path) as client:
        for _ in range(2):  # two students press "Run the experiment": two followers of one job
            assert client.post("/api/clinic/cases/shortcut", json=SHORTCUT).json()["status"] in ("queued", "running")
        left = client.post("/api/clinic/cases/shortcut/cancel", json=SHORTCUT).json()
        assert left["detached"] is True and left["others"] == 1, left
        assert client.get("/api/clinic/cases/shortcut/status", params=SHORTCUT).json()["status"] in ("queued", "running")
        last = client.post("/api/clinic/cases/shortcut/cancel", json=SHORTCUT).json()
        assert not last.get("detached"), last
        assert settle(client, "shortcut", SHORTCUT)["status"] == "cancelled"
