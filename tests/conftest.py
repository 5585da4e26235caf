import os
import warnings

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("CUDA_VISIBLE_DEVICES", "-1")

import xml.etree.ElementTree as ET

import pytest

SVG_NS = "{http://www.w3.org/2000/svg}"


def parse_svg(text):
    """Parse SVG text; returns the root element (raises if the XML is invalid)."""
    return ET.fromstring(text.encode("utf-8"))


def layer_groups(root):
    return [g for g in root.iter(f"{SVG_NS}g") if "layer" in g.get("class", "").split()]


def connector_groups(root):
    return [g for g in root.iter(f"{SVG_NS}g") if "connector" in g.get("class", "").split()]


def drawn_layers_and_edges(svg):
    """(name, type, shape, params) of each drawn layer, and (from, to) of each connector, in SVG order."""
    root = parse_svg(svg)
    layers = [(g.get("data-name"), g.get("data-type"), g.get("data-shape"), g.get("data-params"))
              for g in layer_groups(root)]
    edges = [(c.get("data-from"), c.get("data-to")) for c in connector_groups(root)]
    return layers, edges


@pytest.fixture(scope="session")
def keras():
    import keras

    return keras


@pytest.fixture
def seed_model(keras):
    """The blog post's model, as written there (input_dim=8)."""
    from keras.layers import Dense
    from keras.models import Sequential

    model = Sequential(name="seed")
    with warnings.catch_warnings():  # Keras 3 asks for an Input layer instead
        warnings.filterwarnings("ignore", "Do not pass an `input_shape`/`input_dim`", UserWarning)
        model.add(Dense(12, input_dim=8, activation="relu", name="dense"))
    model.add(Dense(8, activation="relu", name="dense_1"))
    model.add(Dense(1, activation="sigmoid", name="dense_2"))
    return model


def save_hub_models(folder, specs):
    """keras_hub models built from `specs` ({class name: arguments}, no weights downloaded) and saved as
    .keras in `folder`: {name: (path, model)}."""
    keras_hub = pytest.importorskip("keras_hub")
    saved = {}
    for name, arguments in specs.items():
        model = getattr(keras_hub.models, name)(**arguments)
        path = folder / f"{name}.keras"
        model.save(path)
        saved[name] = (path, model)
    return saved


@pytest.fixture(scope="session")
def apps():
    """keras.applications models, each built once per session."""
    from kerasvg import zoo

    cache = {}

    def get(name):
        if name not in cache:
            cache[name] = zoo.application(name)
        return cache[name]

    return get
