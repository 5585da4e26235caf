"""`kerasvg diff A B`: a summary of what changed on stdout and, with -o, both models in one drawing."""
from __future__ import annotations

from .. import budgets
from ..collector import collector_paused
from ..diagram import format_of
from .args import keywords
from .errors import guard
from .models import read_graph
from .outputs import check_output, payloads, write_all


@collector_paused()
def run(args) -> int:
    """`kerasvg diff A B [-o OUT ...]`; exit status 1 when the models differ and --exit-code or --quiet."""
    from ..comparison.compare import compare, render, summary_lines

    drawing = keywords(args)
    for out in args.output:
        check_output(out)
    a, b = read_graph(args.model_a, args.debug), read_graph(args.model_b, args.debug)
    result = guard(f"{args.model_a} vs {args.model_b}", lambda: compare(a, b, expand=args.expand_nested), args.debug)
    if args.output:
        with budgets.writing(format_of(out) for out in args.output):
            diagram = guard(args.model_b, lambda: render(result, **drawing), args.debug)
        write_all(guard(args.model_b, lambda: payloads(diagram, args.output, args.scale, args.dpi), args.debug))
    if not args.quiet:
        print("\n".join(summary_lines(result)))
    return 1 if (args.exit_code or args.quiet) and result.differs else 0
