"""Typed configuration of the network: sizes, cells, attention kind, dropout."""
from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Cell = Literal["lstm", "gru", "rnn"]
# The encoder has more: model/cells.py's LSTM variants (peephole connections, coupled input-forget gates) and its
# plain LSTM (the same function as lstm, in a Python loop: their speed's control)
EncoderCell = Literal["lstm", "gru", "rnn", "peephole_lstm", "cifg_lstm", "lstm_loop"]
Attention = Literal["none", "bahdanau", "luong"]


class ModelConfig(BaseModel):
    """Shape of the encoder-decoder. Vocabulary sizes come from the SentencePiece models."""

    model_config = ConfigDict(extra="forbid")

    src_vocab_size: int = Field(8000, gt=4, description="source subword vocabulary (SentencePiece)")
    tgt_vocab_size: int = Field(8000, gt=4, description="target subword vocabulary (SentencePiece)")
    placeholders: int = Field(0, ge=0, description="placeholder subwords reserved in both vocabularies, for spans "
                              "carried verbatim (model/spans.py); 0: none")
    names: bool = Field(False, description="the network was trained with names masked (the placeholders transform's "
                        "`names`), so translation carries the capitalized words its source vocabulary lacks as spans")
    emb_dim: int = Field(256, gt=0, description="subword embedding size, source and target")
    enc_cell: EncoderCell = Field("lstm", description="encoder cell, run in both directions: lstm | gru | rnn (Elman) | "
                                  "peephole_lstm | cifg_lstm (coupled input-forget gates) | lstm_loop (lstm in "
                                  "model/cells.py's loop, the variants' control)")
    enc_hidden: int = Field(256, gt=0, description="encoder hidden size per direction")
    enc_layers: int = Field(2, ge=1, description="stacked encoder layers")
    reverse_source: bool = Field(False, description="the encoder reads each source's tokens in reverse order, EOS "
                                 "still last (Sutskever et al. 2014)")
    dec_cell: Cell = Field("gru", description="decoder cell")
    dec_hidden: int = Field(512, gt=0, description="decoder hidden size")
    dec_layers: int = Field(1, ge=1, description="stacked decoder layers")
    attention: Attention = Field("bahdanau", description="none | bahdanau (before the GRU step) | luong (after it)")
    dropout: float = Field(0.3, ge=0, lt=1, description="dropout between layers and before the output layer")
    word_dropout: float = Field(0.1, ge=0, lt=1, description="probability of zeroing a whole source/target embedding")
    tie_embeddings: bool = Field(True, description="share the target embedding with the output projection")
