"""The explorer's pages, one module each: ``pair``, ``ratchet``, ``chase``, ``arrow``.

Each module has ``PATH`` (the URL path), ``TITLE``, ``DEFAULTS`` (slider values),
``configs(params)`` (the ensemble configs a page runs, also used to compile the kernels
before the server says it is ready) and ``view()`` (a new page for one browser session).
"""

from multitemp.explore.pages import arrow, chase, pair, ratchet

PAGES = (pair, ratchet, chase, arrow)

__all__ = ["PAGES"]
