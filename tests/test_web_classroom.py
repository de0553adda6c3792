"""A class on one server: trusted results only, default jobs at start, code-versioned keys,
uploads bounded before decoding, no server path in any message."""

import io
import time

import numpy as np
import pytest

from ml2dl.web import errors, jobkeys, jobs


def _wait(pool, name, fp, timeout=20.0):
    deadline = time.monotonic() + timeout
    while (snap := pool.snapshot(name, fp))["status"] not in jobs.FINISHED:
        assert time.monotonic() < deadline, snap
        time.sleep(0.02)
    return snap


def test_a_result_whose_artefact_changed_is_not_trusted_and_the_job_runs_again(tmp_path):
    pool = jobs.JobPool(tmp_path)
    runs = []

    def work(report):
        report.workdir.mkdir(parents=True, exist_ok=True)
        path = report.workdir / "weights.bin"
        path.write_bytes(bytes(range(256)) * 40)
        report.keep(path)
        runs.append(1)
        return {"answer": 42}

    try:
        pool.submit("demo", "ck", work)
        snap = _wait(pool, "demo", "ck")
        assert snap["status"] == "done" and snap["result"] == {"answer": 42}  # the checksums stay on the server
        stored = pool.store.read_result("demo-ck")
        import hashlib

        assert stored["artefacts"] == {"demo/weights.bin": hashlib.sha256(bytes(range(256)) * 40).hexdigest()}
        # a truncated checkpoint: the result is not served, the job counts as never run
        (tmp_path / "demo" / "weights.bin").write_bytes(b"\0" * 100)
        assert pool.snapshot("demo", "ck")["status"] == "none"
        pool.submit("demo", "ck", work)
        assert _wait(pool, "demo", "ck")["status"] == "done" and len(runs) == 2
        # an empty result file is not a result either
        pool.store.result_path("demo-ck").write_text("")
        assert pool.snapshot("demo", "ck")["status"] != "done"
    finally:
        pool.shutdown()


def test_job_fingerprints_change_with_the_code_that_computes_results(monkeypatch):
    before = jobs.fingerprint("pipeline", "data", {"epochs": 4})
    assert before == jobs.fingerprint("pipeline", "data", {"epochs": 4})
    monkeypatch.setattr(jobkeys, "code_version", lambda: "a-newer-training-loop")
    assert jobs.fingerprint("pipeline", "data", {"epochs": 4}) != before


def test_the_default_jobs_start_with_the_server(open_client, tmp_path):
    with open_client(tmp_path, prestart=True) as client:
        deadline = time.monotonic() + 180  # a bound on the wait, not a timing claim
        while {client.get("/api/images/experiment").json()["status"],
               client.get("/api/pipeline/status").json()["status"]} & {"none"}:
            assert time.monotonic() < deadline
            time.sleep(0.05)
    with open_client(tmp_path / "other") as client:  # without prestart nobody starts them
        time.sleep(0.2)
        assert client.get("/api/pipeline/status").json()["status"] == "none"


def test_the_chest_data_is_prepared_once_and_memory_mapped(open_client, tmp_path):
    from concurrent.futures import ThreadPoolExecutor

    from ml2dl.lessons import images as lesson
    from ml2dl.web import prepared
    from ml2dl.web.settings import Settings

    settings = Settings.make(cache_dir=tmp_path)
    calls = []
    real = lesson.load_chest_data

    def counting(*a, **kw):
        calls.append(1)
        return real(*a, **kw)

    lesson.load_chest_data = counting
    try:
        with ThreadPoolExecutor(4) as ex:  # a burst of requests at once
            got = list(ex.map(lambda _: prepared.chest_data(settings, n_train=64, n_val=32, seed=5), range(8)))
        prepared._memory.clear()  # another worker: reads the folder, computes nothing
        again = prepared.chest_data(settings, n_train=64, n_val=32, seed=5)
    finally:
        lesson.load_chest_data = real
    assert len(calls) == 1 and all(g is got[0] for g in got)
    assert isinstance(again.train_images, np.memmap) and not again.train_images.flags.writeable
    reference = real(None, n_train=64, n_val=32, seed=5)
    assert np.array_equal(again.train_images, reference.train_images) and again.fingerprint == reference.fingerprint


def test_an_upload_bomb_is_refused_from_its_header_through_the_route(client):
    from test_data_uploads import dicom_bomb

    r = client.post("/api/kernels/upload", files={"file": ("bomb.dcm", dicom_bomb(), "application/dicom")})
    assert r.status_code == 413  # refused from the header: 180 billion samples claimed, nothing decoded
    assert r.json()["message"] == "bomb.dcm: at most 40,000,000 pixel samples, got 180,000,000,000 " \
                                  "(Rows × Columns × frames × samples per pixel in its header)"


def test_no_server_path_appears_in_a_message(open_client, tmp_path):
    bad = tmp_path / "data" / "broken.npz"
    bad.parent.mkdir()
    np.savez(bad, something=np.zeros(3))
    with open_client(tmp_path / "cache", data_path=bad, raise_server_exceptions=False) as client:
        r = client.get("/api/images/view?index=0")
        assert r.status_code in (422, 500)
        assert str(tmp_path) not in r.text and "/tmp" not in r.text
    assert errors.public(f"cannot read {tmp_path}/cache/jobs/x.json: truncated") == "cannot read x.json: truncated"
    assert errors.public("POST /api/pipeline/train first") == "POST /api/pipeline/train first"


def test_uploaded_file_names_do_not_reach_the_log(client, caplog):
    png = io.BytesIO(b"not an image at all")
    with caplog.at_level("INFO", logger="ml2dl.web"):
        r = client.post("/api/kernels/upload", files={"file": ("Doe^Jane_1970.png", png.getvalue(), "image/png")})
    assert r.status_code == 422
    assert "Doe^Jane" not in caplog.text
