"""`depthviz models` and `depthviz fetch`: the models, their weights, and getting them."""

from __future__ import annotations

import argparse

from depthviz.models import REGISTRY, available_models, fetch_weights


def add_models_command(commands: argparse._SubParsersAction) -> None:
    models = commands.add_parser("models", help="list models and whether their weights are present")
    models.set_defaults(func=list_models)


def add_fetch_command(commands: argparse._SubParsersAction) -> None:
    fetch = commands.add_parser("fetch", help="download a model's weights into the model home")
    fetch.add_argument("model", choices=sorted(REGISTRY))
    fetch.set_defaults(func=fetch_model_weights)


def list_models(args: argparse.Namespace) -> int:
    for status in available_models():
        card = status.card
        where = (str(status.weights_path) if status.weights_present
                 else f"missing ({card.weights.filename}; `depthviz fetch {card.name}`)")
        licence = card.licence + ("  NON-COMMERCIAL use only" if card.non_commercial else "")
        print(f"{card.name}{'  [non-commercial]' if card.non_commercial else ''}\n"
              f"    {card.description}\n"
              f"    licence: {licence}\n"
              f"    output: {'metres (metric)' if card.metric else 'relative depth'}; "
              f"input size: {card.input_size} px\n"
              f"    weights: {where}\n"
              f"    engines: {', '.join(card.engines)}; "
              f"auto: {status.auto.engine} ({status.auto.reason})")
    return 0


def fetch_model_weights(args: argparse.Namespace) -> int:
    print(fetch_weights(args.model))
    return 0
