"""`rouge demo`: a scripted scene that shows what the tool does."""

from __future__ import annotations

import random

import click


@click.command()
@click.option("--seed", type=int, default=None, help="Seed: the same seed plays the same scene.")
@click.option("--json", "as_json", is_flag=True, help="The scene as a JSON list of beats.")
def demo(seed: int | None, as_json: bool) -> None:
    """A short scene: a check, a free-will check and a power, with their exact odds."""
    from rouge_rpg.cli.output import echo_json, fraction, percent
    from rouge_rpg.cli.render import applied_lines, resolution_lines
    from rouge_rpg.demo import play

    chosen = seed if seed is not None else random.SystemRandom().randrange(10**6)
    if as_json:
        echo_json(
            [
                {
                    "setup": p.beat.setup,
                    "command": p.beat.command,
                    "odds": {k: fraction(v) for k, v in p.odds.outcomes.items()},
                    "resolution": p.resolution.to_json(),
                    "state": [a.to_json() for a in p.applied],
                    "seed": chosen,
                }
                for p in play(chosen)
            ]
        )
        return
    click.echo(f"rouge demo, seed {chosen}: Metallic Rouge, the bundled rulebook and sheets")
    for number, played in enumerate(play(chosen), 1):
        click.echo("")
        click.echo(f"{number}. {played.beat.setup}")
        click.echo(f"   $ {played.beat.command}")
        chances = ", ".join(f"{k} {percent(v)}" for k, v in played.odds.outcomes.items())
        click.echo(f"   odds: {chances}")
        if played.odds.allowed is not None:
            click.echo(f"   the act goes ahead: {percent(played.odds.allowed)}")
        for line in resolution_lines(played.resolution):
            click.echo(f"   {line}")
        for line in applied_lines(played.applied):
            click.echo(f"   {line}")
    click.echo("")
    click.echo("Next: rouge rules show asimov_code · rouge check --help · rouge campaign init")
