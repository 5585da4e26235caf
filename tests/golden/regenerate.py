"""Rewrite the golden SVG files: `python tests/golden/regenerate.py` (from the repository root).

Run it after an intended change to the drawing, look at the new files, and commit them with the change.
Every layer is named explicitly: Keras's automatic names come from a process-wide counter.
"""
import os
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent.parent))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")


def seed():
    """The blog post's model: three Dense layers on 8 inputs."""
    import keras
    from keras.layers import Dense

    return keras.Sequential([
        keras.Input((8,), name="input"),
        Dense(12, activation="relu", name="dense"),
        Dense(8, activation="relu", name="dense_1"),
        Dense(1, activation="sigmoid", name="dense_2"),
    ], name="seed")


def small_cnn():
    import keras
    from keras import layers as L

    return keras.Sequential([
        keras.Input((28, 28, 1), name="pixels"),
        L.Conv2D(16, 3, activation="relu", name="conv1"),
        L.MaxPooling2D(name="pool1"),
        L.Conv2D(32, 3, activation="relu", name="conv2"),
        L.MaxPooling2D(name="pool2"),
        L.Flatten(name="flatten"),
        L.Dropout(0.5, name="dropout"),
        L.Dense(10, activation="softmax", name="probs"),
    ], name="small_cnn")


def residual_block():
    import keras
    from keras import layers as L

    x = keras.Input((16, 16, 8), name="features")
    y = L.Conv2D(8, 3, padding="same", name="conv_a")(x)
    y = L.BatchNormalization(name="bn_a")(y)
    y = L.Activation("relu", name="relu_a")(y)
    y = L.Conv2D(8, 3, padding="same", name="conv_b")(y)
    y = L.BatchNormalization(name="bn_b")(y)
    y = L.Add(name="add")([x, y])
    return keras.Model(x, L.Activation("relu", name="relu_out")(y), name="residual_block")


MODELS = {"seed": seed, "small_cnn": small_cnn, "residual_block": residual_block}


def path_of(name: str) -> Path:
    return HERE / f"{name}.svg"


def render(name: str) -> str:
    import kerasvg

    return kerasvg.layered_view(MODELS[name]()).to_svg()


def main() -> None:
    for name in MODELS:
        path_of(name).write_text(render(name), encoding="utf-8", newline="")
        print(f"wrote {path_of(name).relative_to(Path.cwd()) if path_of(name).is_relative_to(Path.cwd()) else path_of(name)}")


if __name__ == "__main__":
    main()
