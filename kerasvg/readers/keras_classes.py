"""Names Keras uses, known without importing Keras: the layer classes Keras 3 and tf_keras ship
(keras.layers), and the layer config keys kept on a drawn Layer.

A string key of a style table that is one of these classes may name a class absent from the model (one
colour map serves many models); any other string must match a layer of the model.
"""
CONFIG_KEYS = (
    "units", "filters", "kernel_size", "strides", "padding", "dilation_rate", "depth_multiplier",
    "pool_size", "activation", "rate", "num_heads", "key_dim", "input_dim", "output_dim",
    "target_shape", "return_sequences", "size", "cropping", "merge_mode", "axis", "groups",
)

KERAS_LAYER_CLASSES = frozenset((
    "AbstractRNNCell Activation ActivityRegularization AdaptiveAveragePooling1D AdaptiveAveragePooling2D "
    "AdaptiveAveragePooling3D AdaptiveMaxPooling1D AdaptiveMaxPooling2D AdaptiveMaxPooling3D Add "
    "AdditiveAttention AlphaDropout Attention AugMix AutoContrast Average AveragePooling1D AveragePooling2D "
    "AveragePooling3D AvgPool1D AvgPool2D AvgPool3D BatchNormalization Bidirectional CategoryEncoding "
    "CenterCrop Concatenate ContrastLimitedAdaptiveHistogramEqualization Conv1D Conv1DTranspose Conv2D "
    "Conv2DTranspose Conv3D Conv3DTranspose ConvLSTM1D ConvLSTM2D ConvLSTM3D Convolution1D "
    "Convolution1DTranspose Convolution2D Convolution2DTranspose Convolution3D Convolution3DTranspose "
    "Cropping1D Cropping2D Cropping3D CutMix Dense DenseFeatures DepthwiseConv1D DepthwiseConv2D "
    "Discretization Dot Dropout ELU EinsumDense Embedding Equalization Flatten FlaxLayer Functional GRU "
    "GRUCell GaussianDropout GaussianNoise GlobalAveragePooling1D GlobalAveragePooling2D "
    "GlobalAveragePooling3D GlobalAvgPool1D GlobalAvgPool2D GlobalAvgPool3D GlobalMaxPool1D GlobalMaxPool2D "
    "GlobalMaxPool3D GlobalMaxPooling1D GlobalMaxPooling2D GlobalMaxPooling3D GroupNormalization "
    "GroupQueryAttention GroupedQueryAttention HashedCrossing Hashing Identity InputLayer IntegerLookup "
    "JaxLayer LSTM LSTMCell Lambda Layer LayerNormalization LeakyReLU LocallyConnected1D LocallyConnected2D "
    "Masking MaxNumBoundingBoxes MaxPool1D MaxPool2D MaxPool3D MaxPooling1D MaxPooling2D MaxPooling3D Maximum "
    "MelSpectrogram Minimum MixUp Model MultiHeadAttention Multiply Normalization PReLU Permute Pipeline "
    "RMSNormalization RNN RandAugment RandomBrightness RandomColorDegeneration RandomColorJitter "
    "RandomContrast RandomCrop RandomElasticTransform RandomErasing RandomFlip RandomGaussianBlur "
    "RandomGrayscale RandomHeight RandomHue RandomInvert RandomPerspective RandomPosterization RandomRotation "
    "RandomSaturation RandomSharpness RandomShear RandomTranslation RandomWidth RandomZoom ReLU RepeatVector "
    "Rescaling Reshape Resizing ReversibleEmbedding STFTSpectrogram SeparableConv1D SeparableConv2D "
    "SeparableConvolution1D SeparableConvolution2D Sequential SimpleRNN SimpleRNNCell Softmax Solarization "
    "SpatialDropout1D SpatialDropout2D SpatialDropout3D SpectralNormalization StackedRNNCells StringLookup "
    "Subtract TFSMLayer TextVectorization ThresholdedReLU TimeDistributed TorchModuleWrapper UnitNormalization "
    "UpSampling1D UpSampling2D UpSampling3D Wrapper ZeroPadding1D ZeroPadding2D ZeroPadding3D ").split())
