"""The explorer in a real browser: headless Chromium (Debian's package, installed by
``make browser``) driven by Playwright.  For each page: open it, move a slider as a user
would (keyboard on the slider's handle), and check the numbers the page shows against the
formulas of physics.md for the new parameters, measured values within 4 standard errors.

Screenshots go to ``$MULTITEMP_SCREENSHOTS`` when it is set (``make screenshots`` puts them in
docs/explorer).
"""

from __future__ import annotations

import json
import math
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

CHROMIUM = os.environ.get("MULTITEMP_CHROMIUM", "/usr/bin/chromium")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]  # fmt: skip


@pytest.fixture(scope="module")
def server():
    """``multitemp explore --no-browser --port 0`` in a subprocess; yields its URL."""
    proc = subprocess.Popen([sys.executable, "-m", "multitemp.cli", "explore", "--no-browser", "--port", "0"],
                            stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True,
                            env={**os.environ, "COLUMNS": "300"})  # fmt: skip
    url, lines, t0 = None, [], time.monotonic()
    while url is None and time.monotonic() - t0 < 600:
        line = proc.stderr.readline()
        if not line:
            break
        lines.append(line)
        m = re.search(r"ready at (http://\S+)", line)
        url = m.group(1) if m else None
    if url is None:
        proc.kill()
        pytest.fail("the explorer did not start:\n" + "".join(lines))
    yield url
    proc.terminate()
    proc.wait(10)


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"no Chromium at {CHROMIUM}: run `make browser` (Debian's chromium package)")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield b
        b.close()


@pytest.fixture
def page(browser):
    pg = browser.new_page(viewport={"width": 1400, "height": 900})
    errors = []
    pg.on("pageerror", lambda exc: errors.append(str(exc)))
    yield pg
    pg.close()
    assert not errors, f"JavaScript errors on the page: {errors}"


def table(pg, table_id: str) -> dict:
    t = pg.locator(f"#{table_id}")
    return {"generation": int(t.get_attribute("data-generation")), "replicas": int(t.get_attribute("data-replicas")),
            "params": json.loads(t.get_attribute("data-params"))}  # fmt: skip


def value(pg, id_: str) -> tuple[float, float | None]:
    el = pg.locator(f"#{id_}")
    err = el.get_attribute("data-err")
    return float(el.get_attribute("data-value")), (float(err) if err is not None else None)


def wait_for(pg, table_id: str, condition, ids: tuple[str, ...] = (), timeout: float = 120.0) -> dict:
    """Poll the table until ``condition(info)`` holds; ``info["values"]`` holds the values of
    ``ids``, read from the same redraw as the rest (the table's generation and replica count are
    read again after them, and the reading is repeated if the page redrew in between)."""
    t0 = time.monotonic()
    while time.monotonic() - t0 < timeout:
        try:
            info = table(pg, table_id)
            info["values"] = {i: value(pg, i) for i in ids}
            if table(pg, table_id) == {k: info[k] for k in ("generation", "replicas", "params")} and condition(info):
                return info
        except Exception:  # the table is being redrawn
            pass
        pg.wait_for_timeout(250)
    raise AssertionError(f"#{table_id}: condition not met in {timeout} s; last {table(pg, table_id)}")


def move_slider(pg, key: str, presses: int) -> None:
    """Focus the slider's handle and press the arrow key, as a keyboard user does."""
    handle = pg.locator(f".slider-{key} .noUi-handle").first
    handle.click()
    for _ in range(abs(presses)):
        handle.press("ArrowRight" if presses > 0 else "ArrowLeft")


def open_page(pg, server: str, path: str, table_id: str) -> dict:
    pg.goto(server + path)
    pg.locator(f"#{table_id}").wait_for(timeout=60_000)
    return table(pg, table_id)


def screenshot(pg, name: str) -> None:
    folder = os.environ.get("MULTITEMP_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        pg.screenshot(path=str(Path(folder) / f"{name}.png"))


def within(measured: tuple[float, float], exact: float, n_err: float = 4.0) -> bool:
    m, e = measured
    return abs(m - exact) <= n_err * e


def pair_sigma(p: dict) -> float:
    """physics.md section 4, equal mobilities: k^2 (T1 - T2)^2 / (2 T1 T2 (k + lambda))."""
    return p["k"] ** 2 * (p["T1"] - p["T2"]) ** 2 / (2 * p["T1"] * p["T2"] * (p["k"] + p["lam"]))


def test_index_lists_the_four_pages(page, server):
    page.goto(server)
    for path in ("pair", "ratchet", "chase", "arrow"):
        assert page.locator(f"a[href*='{path}']").count() >= 1


def test_pair_page(page, server):
    first = open_page(page, server, "pair", "pair-numbers")
    assert first["params"]["T1"] == 5.0 and value(page, "sigma-exact")[0] == pytest.approx(0.8, rel=1e-12)
    move_slider(page, "T1", -10)  # T1 5 -> 4
    move_slider(page, "k", 5)  # k 1 -> 1.5
    info = wait_for(page, "pair-numbers", lambda i: abs(i["params"]["T1"] - 4.0) < 1e-9 and abs(i["params"]["k"] - 1.5) < 1e-9,
                    ("sigma-exact", "angular-momentum-exact"))  # fmt: skip
    p = info["params"]
    assert info["values"]["sigma-exact"][0] == pytest.approx(pair_sigma(p), rel=1e-9)
    assert info["values"]["angular-momentum-exact"][0] == pytest.approx(
        p["k"] * (p["T1"] - p["T2"]) / (p["k"] + p["lam"])
    )
    info = wait_for(
        page, "pair-numbers", lambda i: i["replicas"] >= 20_000 and i["params"] == p, ("sigma", "angular-momentum")
    )
    sigma = info["values"]["sigma"]
    assert within(sigma, pair_sigma(p)), (sigma, pair_sigma(p))
    assert within(info["values"]["angular-momentum"], p["k"] * (p["T1"] - p["T2"]) / (p["k"] + p["lam"]))
    screenshot(page, "pair")


def test_ratchet_page(page, server):
    first = open_page(page, server, "ratchet", "ratchet-numbers")
    move_slider(page, "ratio", 10)  # 10 -> 15
    ids = ("velocity", "velocity-null")
    info = wait_for(
        page, "ratchet-numbers", lambda i: i["generation"] > first["generation"] and i["replicas"] >= 4096, ids
    )
    assert info["params"]["ratio"] == pytest.approx(15.0)
    v, v_err = info["values"]["velocity"]
    assert v > 4 * v_err, (v, v_err)  # the sawtooth with a = 0.2 drives the pair forward
    assert within(info["values"]["velocity-null"], 0.0)
    screenshot(page, "ratchet")
    page.locator(".choice-model button", has_text="Feynman").click()
    feynman = lambda i: i["params"]["model"] == "Feynman ratchet" and i["replicas"] >= 4096  # noqa: E731
    info = wait_for(page, "ratchet-numbers", feynman, ids)
    v, v_err = info["values"]["velocity"]
    assert abs(v) > 4 * v_err, (v, v_err)  # phi = pi/2: the ratchet turns
    assert within(info["values"]["velocity-null"], 0.0)


def test_chase_page(page, server):
    first = open_page(page, server, "chase", "chase-numbers")
    move_slider(page, "T_hot", -20)  # 5 -> 3
    ids = tuple(f"chase-{way}-{i}" for i in range(6) for way in ("backward", "forward"))
    info = wait_for(
        page, "chase-numbers", lambda i: i["generation"] > first["generation"] and i["replicas"] >= 2048, ids
    )
    assert info["params"]["T_hot"] == pytest.approx(3.0)
    for i in range(6):
        b, be = info["values"][f"chase-backward-{i}"]
        assert b > 4 * be, (i, b, be)
        assert within(info["values"][f"chase-forward-{i}"], 0.0)
    screenshot(page, "chase")


def test_arrow_page(page, server):
    first = open_page(page, server, "arrow", "arrow-numbers")
    move_slider(page, "ratio", 6)  # 5 -> 8
    ids = ("sigma", "sigma-exact", "p-correct")
    info = wait_for(
        page, "arrow-numbers", lambda i: i["generation"] > first["generation"] and i["replicas"] >= 4096, ids
    )
    r = info["params"]["ratio"]
    assert r == pytest.approx(8.0)
    exact = (r - 1) ** 2 / (4 * r)  # k = lambda = 1, T2 = 1
    assert info["values"]["sigma-exact"][0] == pytest.approx(exact, rel=1e-12)
    assert within(info["values"]["sigma"], exact)
    tau = info["params"]["tau"]
    p, p_err = info["values"]["p-correct"]
    assert 0.5 + 4 * p_err < p < 0.5 * (1 + math.erf(math.sqrt(exact * tau / 2) / math.sqrt(2))) + 4 * p_err
    page.wait_for_timeout(3000)  # let the movie play
    page.locator(".guess-forward button").click()
    page.locator("#verdict").wait_for(timeout=10_000)
    wait_for(page, "arrow-numbers", lambda i: i["params"]["played"] == 1)
    screenshot(page, "arrow")
