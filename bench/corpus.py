"""Realistic customer-service text, generated reproducibly from a seed."""

from __future__ import annotations

import random

PRODUCTS = ["router", "headphones", "blender", "running shoes", "laptop sleeve", "coffee grinder", "desk lamp",
            "yoga mat", "backpack", "phone case", "smart watch", "kettle", "air purifier", "gift card"]
OPENINGS = ["Hi,", "Hello,", "Good morning,", "Hey there,", "Dear support team,", "Hi again,"]
PROBLEMS = [
    "my order {order} has not arrived yet and the tracking page has not changed since {day}.",
    "the {product} I received is damaged: the box was crushed and it will not turn on.",
    "I was charged twice for order {order}. Could you refund the second payment?",
    "I would like to return the {product}, it is too small. How do I get a return label?",
    "the invoice for order {order} shows the wrong billing address.",
    "can I change the delivery address for order {order}? I am moving on {day}.",
    "the discount code WINTER{number} did not apply at checkout.",
    "my password reset email never arrives, I checked the spam folder too.",
    "the {product} stopped charging after two weeks. Is it still under warranty?",
    "I cancelled my subscription but was billed again on {day}.",
    "the app crashes every time I open my order history on Android.",
    "where can I find the user manual for the {product}?",
]
CLOSINGS = ["Thanks!", "Thank you in advance.", "Regards,", "Cheers", "Please help, this is urgent.", ""]
DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "the weekend", "last week"]
# The words agents type into the search box, one to three at a time.
QUERY_WORDS = ["refund", "order", "damaged", "warranty", "invoice", "return label", "password reset",
               "charged twice", "delivery address", "discount code", "subscription", "tracking", "crashes",
               "router", "headphones", "coffee grinder", "billing address", "user manual", "not arrived"]


def message_text(rng: random.Random) -> str:
    problem = rng.choice(PROBLEMS).format(order=f"#{rng.randint(10000, 99999)}", product=rng.choice(PRODUCTS),
                                          day=rng.choice(DAYS), number=rng.randint(10, 99))
    return " ".join(part for part in (rng.choice(OPENINGS), problem, rng.choice(CLOSINGS)) if part)


def query(rng: random.Random) -> str:
    return " ".join(rng.sample(QUERY_WORDS, rng.randint(1, 2)))
