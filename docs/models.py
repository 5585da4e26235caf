"""Models the documentation draws with the `kerasvg` directive (`models:NAME` in a page)."""
from __future__ import annotations


def blog_mlp():
    """The three-layer MLP of the blog post kerasvg started from."""
    import keras

    return keras.Sequential([keras.Input((8,)), keras.layers.Dense(12, activation="relu"),
                             keras.layers.Dense(8, activation="relu"), keras.layers.Dense(1, activation="sigmoid")])


def first_cnn():
    """The model of the getting-started page."""
    import keras

    return keras.Sequential([
        keras.Input((64, 64, 3)),
        keras.layers.Conv2D(32, 3, activation="relu", name="conv1"),
        keras.layers.MaxPooling2D(name="pool1"),
        keras.layers.Conv2D(64, 3, activation="relu", name="conv2"),
        keras.layers.GlobalAveragePooling2D(name="gap"),
        keras.layers.Dense(10, activation="softmax", name="classifier"),
    ], name="first_cnn")
