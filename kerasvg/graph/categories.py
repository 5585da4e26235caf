"""Layer class name → drawing category (what the theme colours by)."""
from __future__ import annotations

CATEGORIES = (
    "convolution", "pooling", "dense", "recurrent", "attention", "normalization",
    "regularization", "reshaping", "merge", "embedding", "activation", "input", "other",
)

_BY_CLASS = {
    "input": ["InputLayer"],
    "dense": ["Dense", "EinsumDense"],
    "embedding": ["Embedding"],
    "recurrent": ["LSTM", "GRU", "SimpleRNN", "RNN", "Bidirectional", "ConvLSTM1D", "ConvLSTM2D", "ConvLSTM3D",
                  "CuDNNLSTM", "CuDNNGRU"],
    "attention": ["MultiHeadAttention", "Attention", "AdditiveAttention", "GroupedQueryAttention"],
    "normalization": ["BatchNormalization", "LayerNormalization", "GroupNormalization", "UnitNormalization",
                      "Normalization", "RMSNormalization", "SpectralNormalization"],
    "regularization": ["Dropout", "SpatialDropout1D", "SpatialDropout2D", "SpatialDropout3D", "GaussianNoise",
                       "GaussianDropout", "AlphaDropout", "ActivityRegularization"],
    "reshaping": ["Flatten", "Reshape", "Permute", "RepeatVector", "ZeroPadding1D", "ZeroPadding2D",
                  "ZeroPadding3D", "Cropping1D", "Cropping2D", "Cropping3D", "UpSampling1D", "UpSampling2D",
                  "UpSampling3D", "TimeDistributed", "Rescaling", "Resizing", "CenterCrop"],
    "merge": ["Add", "Concatenate", "Multiply", "Average", "Maximum", "Minimum", "Subtract", "Dot"],
    "activation": ["Activation", "ReLU", "LeakyReLU", "PReLU", "ELU", "Softmax", "ThresholdedReLU"],
}
CATEGORY_OF_CLASS = {cls: cat for cat, classes in _BY_CLASS.items() for cls in classes}


def category_of(type_name: str) -> str:
    """The category of a layer class; convolutions and poolings by name pattern, the rest 'other'."""
    if type_name in CATEGORY_OF_CLASS:
        return CATEGORY_OF_CLASS[type_name]
    if "Conv" in type_name:
        return "convolution"
    if "Pooling" in type_name or type_name.startswith(("MaxPool", "AvgPool", "AveragePool")):
        return "pooling"
    return "other"
