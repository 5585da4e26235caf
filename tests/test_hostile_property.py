"""Property: any small model config with hostile values renders, or fails with exit 2 and one escaped line."""
import contextlib
import io
import json
import re
import tempfile
import time
from pathlib import Path

from hypothesis import HealthCheck, given, settings, strategies as st

from conftest import parse_svg
from kerasvg import cli

SENTINEL = b"previous output, must survive"
UNSAFE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e]")
CLASSES = ["Dense", "Conv2D", "Conv1D", "Embedding", "Reshape", "Dropout", "Flatten", "Add", "Concatenate", "LSTM",
           "BatchNormalization", "MaxPooling2D", "ZeroPadding2D", "Permute", "RepeatVector", "MultiHeadAttention",
           "Bidirectional", "TimeDistributed", "Conv2DTranspose", "DepthwiseConv2D", "PReLU", "Cropping1D", "Resizing"]
KEYS = ["units", "filters", "kernel_size", "strides", "dilation_rate", "padding", "input_dim", "output_dim",
        "target_shape", "rate", "axis", "dims", "n", "num_heads", "key_dim", "value_dim", "depth_multiplier",
        "pool_size", "cropping", "size", "height", "width", "groups", "use_bias", "output_shape", "shared_axes",
        "return_sequences", "return_state", "output_padding", "data_format", "center", "scale"]

hostile_text = st.text(alphabet=st.sampled_from(list("aZ_ <>&\"'\\") + ["\x00", "\x1b", "\x07", "\u202e", "\u2028",
                                                                         "\ufffd", "\ud800", "\x9b", "日"]),
                       max_size=12)
scalar = st.one_of(
    st.integers(-3, 40), st.integers(-2 ** 70, 2 ** 70), st.sampled_from([2 ** 31, 2 ** 31 + 1, 10 ** 12, -1, 0]),
    st.floats(allow_nan=True, allow_infinity=True), st.booleans(), st.none(), hostile_text)
value = st.recursive(scalar, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(hostile_text, inner, max_size=3),
                     max_leaves=8)
shape = st.one_of(st.lists(st.one_of(st.none(), st.integers(-2, 64), st.sampled_from([2 ** 31, 10 ** 30])),
                           min_size=1, max_size=5), value)


@st.composite
def layer_config(draw, name):
    cls = draw(st.sampled_from(CLASSES))
    config = {"name": name}
    config.update(draw(st.dictionaries(st.sampled_from(KEYS), value, max_size=4)))
    if cls in ("Bidirectional", "TimeDistributed"):
        config["layer"] = {"class_name": draw(st.sampled_from(["Dense", "LSTM", "Conv1D"])),
                           "config": draw(st.dictionaries(st.sampled_from(KEYS), value, max_size=3))}
    return {"class_name": cls, "config": config}


@st.composite
def model_config(draw):
    count = draw(st.integers(1, 5))
    names = draw(st.lists(hostile_text, min_size=count + 1, max_size=count + 1))
    layers = [{"class_name": "InputLayer", "config": {"name": names[0], "batch_shape": draw(shape)}}]
    layers += [draw(layer_config(n)) for n in names[1:]]
    if draw(st.booleans()):
        return {"class_name": "Sequential", "config": {"name": draw(hostile_text), "layers": layers}}
    for i, entry in enumerate(layers[1:], start=1):
        sources = draw(st.lists(st.integers(0, i - 1), min_size=1, max_size=3))
        entry["inbound_nodes"] = [[[names[s], draw(st.integers(0, 1)), 0, {}] for s in sources]]
    return {"class_name": "Functional", "config": {
        "name": draw(hostile_text), "layers": layers, "input_layers": [[names[0], 0, 0]],
        "output_layers": [[names[-1], 0, 0]]}}


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(config=model_config())
def test_hostile_configs_render_or_fail_with_one_line(config):
    with tempfile.TemporaryDirectory() as scratch:
        model = Path(scratch) / "model.json"
        model.write_text(json.dumps(config), encoding="utf-8")  # NaN and Infinity tokens included
        out = Path(scratch) / "out.svg"
        out.write_bytes(SENTINEL)
        errors, printed = io.StringIO(), io.StringIO()
        started = time.process_time()
        with contextlib.redirect_stderr(errors), contextlib.redirect_stdout(printed):
            status = cli.main(["render", str(model), "-o", str(out)])
        assert time.process_time() - started < 10
        stderr = errors.getvalue()
        assert "Traceback" not in stderr and not UNSAFE.search(stderr), repr(stderr)
        if status == 0:
            assert stderr == ""
            parse_svg(out.read_text(encoding="utf-8"))
        else:
            assert status == 2
            lines = stderr.splitlines()
            assert len(lines) == 1 and lines[0].startswith(f"kerasvg: error: {model}: "), stderr
            assert out.read_bytes() == SENTINEL
