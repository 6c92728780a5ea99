"""The explorer's server: compile the kernels, then serve the four pages on 127.0.0.1."""

from __future__ import annotations

import socket
import time
from collections.abc import Callable

__all__ = ["compile_kernels", "make_server", "serve"]


def compile_kernels(log: Callable[[str], None] = print) -> float:
    """Compile (or load from numba's cache) the kernel of every configuration the pages run,
    on one replica each; returns the seconds it took."""
    from dataclasses import replace

    from multitemp.api import parse_config
    from multitemp.ensemble.simulation import EnsembleSimulation
    from multitemp.explore.pages import PAGES

    t0 = time.perf_counter()
    for mod in PAGES:  # (a movie's config differs only in what it stores: the same kernel)
        for cfg in mod.configs(dict(mod.DEFAULTS)):
            parsed = parse_config(cfg)
            params = replace(parsed.build_run((-5.0, 5.0)), replicas=1)
            EnsembleSimulation(parsed.build_system(), params)
    seconds = time.perf_counter() - t0
    log(f"kernels ready in {seconds:.1f} s")
    return seconds


def free_port(address: str = "127.0.0.1") -> int:
    with socket.socket() as s:
        s.bind((address, 0))
        return int(s.getsockname()[1])


def make_server(port: int = 0, address: str = "127.0.0.1"):
    """A Bokeh server with the four pages (not started); ``server.port`` is the port."""
    import panel as pn

    from multitemp.explore.pages import PAGES

    pn.extension(notifications=False)
    port = port or free_port(address)
    pages = {mod.PATH: mod.view for mod in PAGES}
    titles = {mod.PATH: mod.TITLE for mod in PAGES}
    origins = [f"{address}:{port}", f"localhost:{port}", f"127.0.0.1:{port}"]
    return pn.serve(pages, port=port, address=address, websocket_origin=origins, show=False, start=False,
                    title=titles, verbose=False)  # fmt: skip


def serve(port: int = 0, address: str = "127.0.0.1", show: bool = True, log: Callable[[str], None] = print) -> None:
    """Compile the kernels, then serve until interrupted (Ctrl-C)."""
    log("compiling the kernels (once per machine; later starts load them from the cache) ...")
    compile_kernels(log)
    server = make_server(port, address)
    url = f"http://{address}:{server.port}/"
    log(f"multitemp explore is ready at {url}  (pages: pair, ratchet, chase, arrow; Ctrl-C stops)")
    server.start()
    if show:
        server.io_loop.add_callback(server.show, "/")
    try:
        server.io_loop.start()
    except KeyboardInterrupt:
        log("stopped")
    finally:
        server.stop()
