"""The analysis page in headless Chromium: paste an article, click Analyze, see the highlights.

Needs Debian's chromium and chromium-driver (CI installs them); skipped, saying so, without.
"""

from __future__ import annotations

import socket
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from test_serve import AnalyzingPipeline, make_settings

from serve.app import create_app

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
SCREENSHOT = Path(tempfile.gettempdir()) / "stance_page.png"

ARTICLE = (
    "Negotiators met again in Oslo on Friday.\n"
    "“Both armies should stop and let the envoys do their work,” said Amira Haddad, the lead mediator.\n"
    "Across the table the mood was colder. “A pause would just give their gunners a rest,” said Tomas Berg, "
    "a commander <b>in the east</b>."
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not (CHROMIUM.exists() and CHROMEDRIVER.exists()),
                       reason="needs /usr/bin/chromium and /usr/bin/chromedriver: apt-get install chromium chromium-driver"),
]


def _serve(app: Any) -> Iterator[str]:
    """An app under a real uvicorn on a free loopback port, in a background thread."""
    import uvicorn

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))  # port 0: the OS picks a free one, and the socket keeps it
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_config=None, access_log=False, lifespan="on"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start within 30 s")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=30)
    sock.close()


@pytest.fixture(scope="module")
def base_url(tiny_pipeline: Any) -> Iterator[str]:
    """The service with a deterministic stand-in extractor: pins the page, not the extractor."""
    yield from _serve(create_app(make_settings(), pipeline=AnalyzingPipeline(tiny_pipeline)))


@pytest.fixture(scope="module")
def real_base_url(tiny_pipeline: Any) -> Iterator[str]:
    """The service with the real quote extractor (spaCy) and the tiny classifier."""
    yield from _serve(create_app(make_settings(), pipeline=tiny_pipeline))


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage", "--window-size=1100,1300",
                 f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    driver.set_page_load_timeout(30)
    yield driver
    driver.quit()


def test_page_highlights_statements_and_lists_speakers(base_url: str, browser: Any) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    browser.get(base_url + "/")
    assert "Stance" in browser.title
    browser.find_element(By.ID, "article").send_keys(ARTICLE)
    browser.find_element(By.ID, "target").send_keys("a negotiated ceasefire")
    browser.find_element(By.ID, "analyze").click()

    wait = WebDriverWait(browser, 20)
    wait.until(ec.visibility_of_element_located((By.ID, "results")))
    marks = browser.find_elements(By.CSS_SELECTOR, "#highlighted mark.stance")
    assert [m.text for m in marks] == ["Both armies should stop and let the envoys do their work,",
                                       "A pause would just give their gunners a rest,"]
    for mark in marks:
        label = mark.get_attribute("data-label")
        assert label in {"FAVOR", "AGAINST", "NEUTRAL"}
        assert f"stance-{label.lower()}" in mark.get_attribute("class")
        title = mark.get_attribute("title")
        assert ("Amira Haddad" in title or "Tomas Berg" in title) and "FAVOR" in title and "%" in title
    # The article's markup-looking text is shown as text, not parsed as HTML.
    highlighted = browser.find_element(By.ID, "highlighted")
    assert "<b>in the east</b>" in highlighted.text
    assert not highlighted.find_elements(By.TAG_NAME, "b")
    speakers = [row.find_element(By.TAG_NAME, "td").text
                for row in browser.find_elements(By.CSS_SELECTOR, "#speakers tbody tr.speaker-row")]
    assert sorted(speakers) == ["Amira Haddad", "Tomas Berg"]
    assert browser.find_element(By.ID, "status").text == ""
    browser.save_screenshot(str(SCREENSHOT))


def test_page_shows_the_error_message(base_url: str, browser: Any) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    browser.get(base_url + "/")
    browser.find_element(By.ID, "article").send_keys("Some text.")
    browser.find_element(By.ID, "target").send_keys("t" * 600)
    browser.find_element(By.ID, "analyze").click()
    WebDriverWait(browser, 20).until(lambda d: "Error 422" in d.find_element(By.ID, "status").text)
    assert "limit is 500" in browser.find_element(By.ID, "status").text


def test_gold_article_in_the_page_with_the_real_extractor(real_base_url: str, browser: Any) -> None:
    """Paste one of the project's gold articles (the seed-like one) and find its main statements and speakers."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    article = (Path(__file__).parent / "fixtures" / "seedlike_article.txt").read_text(encoding="utf-8").strip()
    browser.get(real_base_url + "/")
    box = browser.find_element(By.ID, "article")
    # send_keys types character by character; setting the value is what a paste does.
    browser.execute_script("arguments[0].value = arguments[1];", box, article)
    browser.find_element(By.ID, "analyze").click()
    WebDriverWait(browser, 60).until(ec.visibility_of_element_located((By.ID, "results")))
    marks = browser.find_elements(By.CSS_SELECTOR, "#highlighted mark.stance")
    titles = " | ".join(m.get_attribute("title") for m in marks)
    assert len(marks) >= 6
    speakers = {row.find_element(By.TAG_NAME, "td").text
                for row in browser.find_elements(By.CSS_SELECTOR, "#speakers tbody tr.speaker-row")}
    for name in ("Mara Ilves", "Aldo Perrin"):
        assert name in speakers, speakers
        assert name in titles
    assert any("Centre for Conflict Analysis" in s for s in speakers), speakers
