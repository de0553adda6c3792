"""/api/data: the row, a grey image's grid and crop, the colour photograph's grids, the word vectors."""

import numpy as np


def test_row_and_pixels(client):
    assert client.get("/api/data/row").json()["vector"] == [193, 224, 27]
    r = client.post("/api/data/pixels", json={"row": 3, "col": 7, "size": 18}).json()
    grid = np.array(r["image"])
    assert grid.shape == (28, 28) and r["synthetic"] is True  # phantoms: the server has no --data
    assert np.array_equal(np.array(r["crop"]["values"]), grid[3:21, 7:25])
    r = client.post("/api/data/pixels", json={"source": "mr_small", "size": 4}).json()
    assert r["crop"]["numbers"] == 16 and r["source_name"] == "mr_small"
    bad = client.post("/api/data/pixels", json={"size": 99})
    assert bad.status_code == 422 and "size" in bad.json()["message"]


def test_colour_and_words(client):
    r = client.get("/api/data/colour").json()
    assert r["real_shape"] == [1411, 1411, 3] and len(r["channels"]) == 3
    w = client.get("/api/data/words").json()
    assert "doctors" in {x["word"] for x in w["words"]}
    n = client.post("/api/data/neighbours", json={"word": "doctors", "k": 3}).json()
    assert n["neighbours"][0]["word"] == "nurses" and len(n["vector"]) == 16
    assert client.post("/api/data/neighbours", json={"word": "zzz"}).status_code == 422
