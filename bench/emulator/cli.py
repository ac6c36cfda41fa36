"""Command-line flags shared by the server and the truth tool, so both build the same world."""

from __future__ import annotations

import argparse

from .model import DEFAULT_NOW
from .seed import DEFAULT_MEMBER_SHARE, WorldConfig


def member_share(text: str) -> float:
    """A share in (0, 1]: 0 would leave the org with no activity to count."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not 0 < value <= 1:
        raise argparse.ArgumentTypeError(f"must be more than 0 and at most 1, not {text}")
    return value


def add_world_arguments(parser: argparse.ArgumentParser) -> None:
    world = parser.add_argument_group("world")
    world.add_argument("--seed", type=int, default=1)
    world.add_argument("--org", default="acme", help="the organization's login")
    world.add_argument("--people", type=int, default=200, help="org members, 1-2 of them bots")
    world.add_argument("--outsiders", type=int, default=None, help="non-members who also contribute")
    world.add_argument("--repos", type=int, default=60)
    world.add_argument(
        "--contributions", type=int, default=100_000, help="issues, PRs, comments and reviews by everyone"
    )
    world.add_argument(
        "--days", type=int, default=365, help="activity spread over this many days before --now"
    )
    world.add_argument("--now", default=DEFAULT_NOW, help="the emulator's clock")
    world.add_argument(
        "--member-share",
        type=member_share,
        default=DEFAULT_MEMBER_SHARE,
        help="share of all activity done by org members, in (0, 1] (outsiders do the rest)",
    )


def world_config_from(args: argparse.Namespace) -> WorldConfig:
    return WorldConfig(
        seed=args.seed,
        org=args.org,
        people=args.people,
        outsiders=args.outsiders,
        repos=args.repos,
        contributions=args.contributions,
        days=args.days,
        now=args.now,
        member_share=args.member_share,
    )
