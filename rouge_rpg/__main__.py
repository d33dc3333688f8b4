"""`python -m rouge_rpg` runs the `rouge` command."""

from rouge_rpg.cli import main

main()
