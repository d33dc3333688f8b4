"""The language server for `.rouge` rulebooks (`rouge lsp`, the `lsp` extra).

`analysis` computes diagnostics, hover, definitions, references, completion and
symbols from texts and does not import pygls; `server` wires them to the protocol.
"""
