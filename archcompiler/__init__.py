"""archcompiler: YAML architecture specs compiled into Keras models, diagrams and docs."""

__version__ = "0.1.0"
