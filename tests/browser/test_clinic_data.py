"""clinic-train on a server started with an image folder (``ml2dl serve --data FOLDER``): the data
choice lists the folder by its name, and choosing it says how many images it offers and where the
test split comes from (the figures of /api/clinic/options, computed here from the folder's layout)."""

import pytest

from test_web_data_folder import write_folder  # the folder writer of the API tests

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def served(tmp_path_factory, base_url):
    from servers import running

    from ml2dl.web.app import create_app

    root = tmp_path_factory.mktemp("served") / "ward7"
    write_folder(root)  # 40 NORMAL + 40 PNEUMONIA: 8 to validation, 8 to test, 64 to train
    app = create_app(cache_dir=tmp_path_factory.mktemp("clinic-data-cache"), data_path=root)
    with running(app) as url:
        yield url


@pytest.mark.parametrize("width, height", [(1280, 900), (390, 844)])
def test_the_data_choice_lists_the_served_folder(served, browser, shot, width, height):
    context = browser.new_context(viewport={"width": width, "height": height}, base_url=served)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto("/?step=clinic-train")
    page.wait_for_selector("#step-root[data-step='clinic-train'][data-ready='true']", timeout=60_000)
    select = page.get_by_test_id("source")
    options = select.locator("option")
    assert [options.nth(i).inner_text() for i in range(options.count())] == \
        ["Synthetic chest films (phantoms)", "Image folder ward7"]
    select.focus()
    select.select_option("folder")  # a keyboard user's choice: the select has the focus
    note = page.get_by_test_id("source-note")
    note.locator("text=Up to 64 training images").wait_for()
    assert note.inner_text() == ("Up to 64 training images; judged on the validation split and a test split: "
                                 "10% of each class of the folder, held out.")
    # the training images follow the folder's size: 600 (the default) would be refused
    assert page.get_by_test_id("n_train").input_value() == "64" and "n_train=64" in page.url
    assert "source=folder" in page.url  # the choice is in the URL: a reload keeps it
    page.reload()
    page.wait_for_selector("#step-root[data-step='clinic-train'][data-ready='true']", timeout=60_000)
    assert page.get_by_test_id("source").input_value() == "folder"
    assert page.get_by_test_id("source-note").is_visible()
    shot(page, f"clinic-train-folder-{width}", full_page=False)
    context.close()
    assert not errors, errors
