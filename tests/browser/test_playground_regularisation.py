"""Step 2's L2 and dropout controls in a real browser: they reach the server mid-run, and its figures are shown."""

import pytest

pytestmark = pytest.mark.browser

QUERY = "problem=circle&noise=0.4&hidden=8,8&act=tanh&lr=0.3&opt=sgd"


def test_l2_and_dropout_change_the_run_and_show_their_numbers(page, base_url, open_step, shot):
    open_step(page, "playground", QUERY)
    assert page.get_by_test_id("regularisation").is_hidden()  # off: nothing to say
    for k in range(1, 4):  # 30 steps without regularisation
        page.get_by_test_id("step-once").click()
        page.wait_for_function("(n) => document.querySelector('[data-testid=step-count]').innerText === n", arg=str(10 * k))
    page.get_by_test_id("l2").select_option("0.01")
    page.wait_for_function("() => !document.querySelector('[data-testid=regularisation]').hidden")
    assert "l2=0.01" in page.url
    page.get_by_test_id("step-once").click()
    page.wait_for_function("() => document.querySelector('[data-testid=step-count]').innerText === '40'")
    text = page.get_by_test_id("regularisation").inner_text()
    assert "λ = 0.01" in text and "Dropout" not in text
    # the same run on the server: 30 plain steps, then 10 with λ = 0.01
    settings = {"problem": "circle", "noise": 0.4, "hidden": [8, 8], "activation": "tanh", "optimizer": "sgd",
                "learning_rate": 0.3}
    post = lambda body: page.request.post(f"{base_url}/api/playground/train", data=body).json()  # noqa: E731
    first = post({"settings": settings, "steps": 0})
    for _ in range(3):
        first = post({"settings": settings, "steps": 10, "state": first["state"]})
    after = post({"settings": {**settings, "weight_decay": 0.01}, "steps": 10, "state": first["state"]})
    assert f"{after['regularisation']['weights_norm_sq']:.2f}" in text
    assert page.get_by_test_id("test-loss").inner_text() == f"{after['metrics']['test_loss']:.3f}"
    # dropout on as well
    page.get_by_test_id("dropout").select_option("0.5")
    page.wait_for_function("() => document.querySelector('[data-testid=regularisation]').innerText.includes('probability 0.5')")
    assert "dropout=0.5" in page.url and "2 dropout layers" in page.get_by_test_id("regularisation").inner_text()
    shot(page, "playground-regularised")
