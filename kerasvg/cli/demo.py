"""`kerasvg demo` (a built-in model in every format) and `kerasvg themes` (the built-in themes)."""
from __future__ import annotations

from pathlib import Path

from ..scene.text import terminal_safe
from .errors import guard
from .models import draw
from .outputs import check_folder, make_folder, payloads, write_all

DEMO_MODEL = Path(__file__).resolve().parent.parent / "examples" / "demo_resnet.json"
DEMO_FORMATS = ("svg", "png", "jpg", "pdf", "html")


def demo(args) -> int:
    """Render DEMO_MODEL as each of DEMO_FORMATS into the -o folder."""
    folder = Path(args.output)
    check_folder(folder)
    diagram = draw(str(DEMO_MODEL), {"legend": True}, debug=args.debug)
    targets = [folder / f"demo.{kind}" for kind in DEMO_FORMATS]
    written = guard("demo", lambda: payloads(diagram, targets, 2, None), args.debug)
    make_folder(folder)
    write_all(written)
    for path, data in written:
        print(terminal_safe(f"{path}  ({len(data):,} bytes)"))
    return 0


def themes(args) -> int:
    """One line per built-in theme: its name and description."""
    from ..theme import themes as builtin

    listed = builtin()
    width = max(map(len, listed), default=0)
    for name, description in listed.items():
        print(f"{name:<{width}}  {description}")
    return 0
