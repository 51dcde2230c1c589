"""Sentence embeddings from the packaged all-MiniLM-L6-v2 (int8 ONNX, no torch): texts in, unit vectors out."""

from libs.embeddings.encoder import EMBEDDING_DIM, MODEL_ID, SentenceEncoder, get_encoder

__all__ = ["EMBEDDING_DIM", "MODEL_ID", "SentenceEncoder", "get_encoder"]
