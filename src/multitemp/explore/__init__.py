"""``multitemp explore``: the recitation, live, in the browser (Panel on a Bokeh server).

Four pages: the two-temperature pair, ratchets, run-and-chase, the arrow of time.  Each page
runs batches of replicas of the ensemble kernel in a background thread (:mod:`.live`) and
pools them, so the measured values converge on the exact ones while the user watches.

    from multitemp.explore import serve
    serve(port=5006, show=False)      # blocks; http://127.0.0.1:5006/
"""

from multitemp.explore.app import compile_kernels, make_server, serve

__all__ = ["serve", "make_server", "compile_kernels"]
