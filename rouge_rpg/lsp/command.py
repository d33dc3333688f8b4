"""`rouge lsp`: starts the language server; pygls is imported only here, and only if installed."""

from __future__ import annotations

import click

from rouge_rpg.errors import RougeError

INSTALL_HINT = "install it with: pip install 'rouge-rpg[lsp]'"


@click.command()
def lsp() -> None:
    """Speak the Language Server Protocol over stdin and stdout, for .rouge files.

    Editors start it themselves: see the README for VS Code, Neovim and Helix.
    """
    try:
        from rouge_rpg.lsp.server import main
    except ImportError as error:
        raise RougeError(
            f"the language server needs pygls, which is not installed ({error.name})",
            hint=INSTALL_HINT,
        ) from None
    main()
