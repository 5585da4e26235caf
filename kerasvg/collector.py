"""Python's cyclic garbage collector kept out of the way while kerasvg builds and writes a drawing."""
from __future__ import annotations

import gc
from contextlib import contextmanager


@contextmanager
def collector_paused():
    """Reading, layout and writing allocate many short-lived acyclic objects; with TensorFlow's large heap
    loaded, the collections they trigger make rendering superlinear. Refcounting frees them; the collector
    runs again afterwards. Turned back on while a drawing is alive, it walks every object made since the pause
    (0.7 s for a 50,000-layer model), so the command line keeps it paused (a decorator: `@collector_paused()`)
    until the drawing it made is freed."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
