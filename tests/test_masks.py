"""Ops Keras generates to compute masks are not drawn, live or from the file; ops the user wrote are."""
import json

from kerasvg.readers.live import read_model
from kerasvg.readers.saved import graph_from_config


def _seq2seq(keras):
    L = keras.layers
    source = keras.Input((None,), name="source")
    target = keras.Input((None,), name="target")
    frames = keras.Input((5, 3), name="frames")
    _, h, c = L.LSTM(6, return_state=True, name="encoder")(L.Embedding(30, 8, mask_zero=True, name="src_embed")(source))
    decoded = L.LSTM(6, return_sequences=True, name="decoder")(
        L.Embedding(30, 8, mask_zero=True, name="tgt_embed")(target), initial_state=[h, c])
    padding = keras.ops.not_equal(target, 0)  # written by the user: drawn
    summary = L.GRU(2, name="summary")(L.Masking(name="masking")(frames))
    return keras.Model([source, target, frames], [L.Dense(30, name="words")(decoded), padding, summary],
                       name="seq2seq")


def _drawn(graph):
    return [(l.name, l.type, l.shape_text) for l in graph.layers], sorted(graph.edges)


def test_generated_mask_ops_are_left_out_live_and_in_the_file(keras):
    model = _seq2seq(keras)
    live = read_model(model)[0]
    types = [l.type for l in live.layers]
    assert types.count("NotEqual") == 1 and "Any" not in types
    assert ("target", live.layers[[l.type for l in live.layers].index("NotEqual")].name) in live.edges
    assert _drawn(graph_from_config(json.loads(model.to_json()))) == _drawn(live)


def test_sequential_embedding_mask_is_not_drawn(keras):
    L = keras.layers
    model = keras.Sequential([keras.Input((7,), name="tokens"), L.Embedding(50, 8, mask_zero=True, name="embed"),
                              L.LSTM(4, name="lstm")], name="masked")
    live = read_model(model)[0]
    assert [l.name for l in live.layers] == ["tokens", "embed", "lstm"]
    assert live.edges == (("tokens", "embed"), ("embed", "lstm"))
    assert _drawn(graph_from_config(json.loads(model.to_json()))) == _drawn(live)
