"""/api/quiz: questions without their answers, answers checked by recomputing the question, scores."""


def test_question_then_check(client):
    q = client.post("/api/quiz/question", json={"kind": "dense_params", "seed": 0}).json()
    assert q["numbers"] == {"sizes": [10, 10, 10, 10]} and "330" not in str(q)
    r = client.post("/api/quiz/check", json={"kind": "dense_params", "seed": 0, "answer": 330}).json()
    assert r["correct"] is True and r["right_answer"] == 330 and r["working"][-1] == "total 330"
    r = client.post("/api/quiz/check", json={"kind": "fc_vs_conv", "seed": 0, "answer": "the convolution"}).json()
    assert r["correct"] is False and r["right_answer"] == "the dense layer"
    r = client.post("/api/quiz/check", json={"kind": "sigmoid", "seed": 1, "answer": "0.12"}).json()
    assert r["correct"] is True and r["right_answer"] == 0.12 and r["exact"] == 0.1192  # σ(−2)


def test_new_numbers_and_sets(client):
    q = client.post("/api/quiz/question", json={"kind": "sigmoid", "seed": 1}).json()
    q2 = client.post("/api/quiz/question", json={"kind": "sigmoid", "seed": q["next_seed"]}).json()
    assert q2["numbers"] != q["numbers"]
    s = client.post("/api/quiz/set", json={"seed": 0, "count": 8}).json()
    assert [x["kind"] for x in s["questions"][:3]] == ["perceptron", "dense_params", "fc_vs_conv"]
    kinds = client.get("/api/quiz/kinds").json()["kinds"]
    assert {k["kind"] for k in kinds} >= {"perceptron", "dense_params", "fc_vs_conv", "sigmoid", "batches"}
    sc = client.post("/api/quiz/score", json={"answers": [
        {"kind": "dense_params", "seed": 0, "answer": 330}, {"kind": "batches", "seed": 0, "answer": 31}]}).json()
    assert (sc["right"], sc["total"]) == (1, 2)  # ⌈2000 / 64⌉ = 32


def test_bad_requests_say_what_was_expected(client):
    r = client.post("/api/quiz/check", json={"kind": "sigmoid", "seed": 0, "answer": "lots"})
    assert r.status_code == 422 and "answer must be a number" in r.json()["message"]
    r = client.post("/api/quiz/question", json={"kind": "nope"})
    assert r.status_code == 422
    r = client.post("/api/quiz/set", json={"count": 99})
    assert r.status_code == 422


def test_every_kind_through_the_routes(client):
    for k in client.get("/api/quiz/kinds").json()["kinds"]:
        for seed in range(4):
            q = client.post("/api/quiz/question", json={"kind": k["kind"], "seed": seed})
            assert q.status_code == 200, (k["kind"], seed, q.text[:200])
            answer = k["choices"][0] if k["choices"] else 1
            r = client.post("/api/quiz/check", json={"kind": k["kind"], "seed": seed, "answer": answer})
            assert r.status_code == 200, (k["kind"], seed, r.text[:200])
            assert r.json()["numbers"] == q.json()["numbers"]
