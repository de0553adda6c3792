"""/api/architectures: the three pairs with the engine's shapes and counts."""


def test_architectures(client):
    r = client.get("/api/architectures")
    assert r.status_code == 200
    kinds = {k["key"]: k for k in r.json()["kinds"]}
    assert list(kinds) == ["tabular", "image", "sequence"]
    assert kinds["tabular"]["model"]["total_params"] == 81  # (3·16 + 16) + (16 + 1)
    assert kinds["image"]["model"]["total_params"] == 2033  # 80 + 1,168 + 785
    assert [k["step"] for k in kinds.values()] == ["playground", "pipeline", "rnn"]
    assert kinds["sequence"]["model"]["total_params"] == 353  # nn.RNN(3, 16): 336, Linear(16, 1): 17
