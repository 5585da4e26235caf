"""Example architectures (every layer named) for the gallery, the tests and the benchmarks.

Each builder imports Keras when called; `keras.applications` models are built with weights=None.
"""
from __future__ import annotations

APPLICATIONS = ("ResNet50", "DenseNet121", "MobileNetV2", "EfficientNetB0", "InceptionV3")


def application(name: str):
    """A `keras.applications` model, untrained (no download)."""
    import keras

    return getattr(keras.applications, name)(weights=None)


def small_cnn():
    import keras
    from keras import layers as L

    return keras.Sequential([
        keras.Input((28, 28, 1), name="image"),
        L.Conv2D(32, 3, activation="relu", name="conv1"),
        L.MaxPooling2D(name="pool1"),
        L.Conv2D(64, 3, activation="relu", name="conv2"),
        L.MaxPooling2D(name="pool2"),
        L.Flatten(name="flatten"),
        L.Dropout(0.5, name="dropout"),
        L.Dense(10, activation="softmax", name="classifier"),
    ], name="small_cnn")


def small_cnn_revised():
    """`small_cnn` revised, for diffs: a layer renamed, one added, one widened, one swapped, two dropped."""
    import keras
    from keras import layers as L

    return keras.Sequential([
        keras.Input((28, 28, 1), name="image"),
        L.Conv2D(32, 3, activation="relu", name="stem"),
        L.BatchNormalization(name="stem_bn"),
        L.MaxPooling2D(name="pool1"),
        L.Conv2D(128, 3, activation="relu", name="conv2"),
        L.MaxPooling2D(name="pool2"),
        L.GlobalAveragePooling2D(name="gap"),
        L.Dense(10, activation="softmax", name="classifier"),
    ], name="small_cnn_v2")


def resnet50_widened(resnet50):
    """`resnet50` with `conv4_block3_2_conv`'s filters doubled (the layers after it rebuilt to fit): a diff's
    one widened convolution."""
    import json

    import keras

    config = json.loads(resnet50.to_json())
    for entry in config["config"]["layers"]:
        if entry["config"]["name"] == "conv4_block3_2_conv":
            entry["config"]["filters"] *= 2
        entry.pop("build_config", None)
    return keras.models.model_from_json(json.dumps(config))


def residual_block():
    import keras
    from keras import layers as L

    x = keras.Input((32, 32, 16), name="features")
    y = L.Conv2D(16, 3, padding="same", name="conv_a")(x)
    y = L.BatchNormalization(name="bn_a")(y)
    y = L.ReLU(name="relu_a")(y)
    y = L.Conv2D(16, 3, padding="same", name="conv_b")(y)
    y = L.BatchNormalization(name="bn_b")(y)
    y = L.Add(name="add")([x, y])
    y = L.ReLU(name="relu_out")(y)
    return keras.Model(x, y, name="residual_block")


def recurrent_tagger():
    import keras
    from keras import layers as L

    tokens = keras.Input((40,), name="tokens")
    x = L.Embedding(5000, 64, name="embedding")(tokens)
    x = L.Bidirectional(L.LSTM(64, return_sequences=True, name="lstm"), name="bilstm")(x)
    x = L.Dropout(0.3, name="dropout")(x)
    x = L.TimeDistributed(L.Dense(32, activation="relu", name="proj"), name="time_dense")(x)
    tags = L.Dense(12, activation="softmax", name="tags")(x)
    return keras.Model(tokens, tags, name="sequence_tagger")


def unet(depth: int = 3):
    import keras
    from keras import layers as L

    image = keras.Input((128, 128, 3), name="image")
    x, skips, filters = image, [], 16
    for level in range(depth):
        x = L.Conv2D(filters, 3, padding="same", activation="relu", name=f"down{level}_conv1")(x)
        x = L.Conv2D(filters, 3, padding="same", activation="relu", name=f"down{level}_conv2")(x)
        skips.append(x)
        x = L.MaxPooling2D(name=f"down{level}_pool")(x)
        filters *= 2
    x = L.Conv2D(filters, 3, padding="same", activation="relu", name="bottom_conv1")(x)
    x = L.Conv2D(filters, 3, padding="same", activation="relu", name="bottom_conv2")(x)
    for level in reversed(range(depth)):
        filters //= 2
        x = L.Conv2DTranspose(filters, 2, strides=2, name=f"up{level}_upconv")(x)
        x = L.Concatenate(name=f"up{level}_concat")([x, skips[level]])
        x = L.Conv2D(filters, 3, padding="same", activation="relu", name=f"up{level}_conv1")(x)
        x = L.Conv2D(filters, 3, padding="same", activation="relu", name=f"up{level}_conv2")(x)
    mask = L.Conv2D(1, 1, activation="sigmoid", name="mask")(x)
    return keras.Model(image, mask, name="unet")


def transformer_encoder(blocks: int = 2):
    import keras
    from keras import layers as L

    tokens = keras.Input((64,), name="tokens")
    x = L.Embedding(8000, 128, name="embedding")(tokens)
    for b in range(blocks):
        attention = L.MultiHeadAttention(4, 32, name=f"block{b}_attention")(x, x)
        x = L.Add(name=f"block{b}_add1")([x, attention])
        x = L.LayerNormalization(name=f"block{b}_norm1")(x)
        h = L.Dense(256, activation="gelu", name=f"block{b}_ffn1")(x)
        h = L.Dense(128, name=f"block{b}_ffn2")(h)
        x = L.Add(name=f"block{b}_add2")([x, h])
        x = L.LayerNormalization(name=f"block{b}_norm2")(x)
    x = L.GlobalAveragePooling1D(name="pool")(x)
    out = L.Dense(2, activation="softmax", name="label")(x)
    return keras.Model(tokens, out, name="transformer_encoder")


def vision_transformer(depth: int = 6):
    """A small ViT whose layer names say nothing about its structure (Keras-style `add_3`, `dense_7`)."""
    import keras
    from keras import layers as L

    count = {}

    def name(kind):
        count[kind] = count.get(kind, -1) + 1
        return kind if count[kind] == 0 else f"{kind}_{count[kind]}"

    image = keras.Input((64, 64, 3), name="input_layer")
    x = L.Conv2D(96, 8, strides=8, name=name("conv2d"))(image)
    x = L.Reshape((64, 96), name=name("reshape"))(x)
    for _ in range(depth):
        h = L.LayerNormalization(name=name("layer_normalization"))(x)
        h = L.MultiHeadAttention(4, 24, name=name("multi_head_attention"))(h, h)
        x = L.Add(name=name("add"))([x, h])
        h = L.LayerNormalization(name=name("layer_normalization"))(x)
        h = L.Dense(192, activation="gelu", name=name("dense"))(h)
        h = L.Dense(96, name=name("dense"))(h)
        x = L.Add(name=name("add"))([x, h])
    x = L.LayerNormalization(name=name("layer_normalization"))(x)
    x = L.GlobalAveragePooling1D(name=name("global_average_pooling1d"))(x)
    return keras.Model(image, L.Dense(10, name=name("dense"))(x), name="vision_transformer")


def two_in_two_out():
    import keras
    from keras import layers as L

    image = keras.Input((64, 64, 3), name="image")
    meta = keras.Input((10,), name="metadata")
    x = L.Conv2D(16, 3, activation="relu", name="conv")(image)
    x = L.GlobalAveragePooling2D(name="gap")(x)
    m = L.Dense(16, activation="relu", name="meta_dense")(meta)
    joined = L.Concatenate(name="joined")([x, m])
    shared = L.Dense(32, activation="relu", name="shared")(joined)
    label = L.Dense(5, activation="softmax", name="label")(shared)
    score = L.Dense(1, name="score")(shared)
    return keras.Model([image, meta], [label, score], name="two_in_two_out")


def nested_model():
    import keras
    from keras import layers as L

    encoder = keras.Sequential([
        keras.Input((32, 32, 3), name="enc_in"),
        L.Conv2D(16, 3, activation="relu", name="enc_conv1"),
        L.MaxPooling2D(name="enc_pool"),
        L.Conv2D(32, 3, activation="relu", name="enc_conv2"),
        L.GlobalAveragePooling2D(name="enc_gap"),
    ], name="encoder")
    image = keras.Input((32, 32, 3), name="image")
    x = L.Rescaling(1 / 255, name="rescale")(image)
    x = encoder(x)
    x = L.Dense(32, activation="relu", name="head_dense")(x)
    out = L.Dense(10, activation="softmax", name="classes")(x)
    return keras.Model(image, out, name="nested_classifier")


CUSTOM = {
    "small-cnn": small_cnn,
    "residual-block": residual_block,
    "sequence-tagger": recurrent_tagger,
    "unet": unet,
    "transformer-encoder": transformer_encoder,
    "vision-transformer": vision_transformer,
    "two-in-two-out": two_in_two_out,
    "nested-classifier": nested_model,
}


def all_to_all_config(n: int) -> dict:
    """A saved-model config in which every layer adds all earlier ones: n (n - 1) / 2 edges from a file of a few
    hundred KB (the worst case the edge budget allows; no Keras needed)."""
    def tensor(source):
        return {"class_name": "__keras_tensor__",
                "config": {"shape": [None, 8], "dtype": "float32", "keras_history": [source, 0, 0]}}
    names = ["in"]
    layers = [{"class_name": "InputLayer", "name": "in", "config": {"name": "in", "batch_shape": [None, 8]},
               "inbound_nodes": []}]
    for i in range(1, n):
        sources = names if len(names) > 1 else names * 2
        layers.append({"class_name": "Add", "name": f"add_{i}", "config": {"name": f"add_{i}"},
                       "inbound_nodes": [{"args": [[tensor(s) for s in sources]], "kwargs": {}}]})
        names.append(f"add_{i}")
    return {"class_name": "Functional", "config": {"name": "dense_graph", "layers": layers,
                                                   "input_layers": [["in", 0, 0]], "output_layers": [[names[-1], 0, 0]]}}
